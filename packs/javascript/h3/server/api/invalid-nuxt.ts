// Nuxt auto-imports h3's utilities in server routes.
export default defineEventHandler(async (event) => {
  const session = await getUserSession(event);
  if (!session.user) {
    throw createError({ status: 401, message: 'sign in first' });
  }
  return session.user;
});
