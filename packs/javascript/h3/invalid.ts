import { createError, defineEventHandler, getHeader, setResponseStatus } from 'h3';

export default defineEventHandler(async (event) => {
  const token = getHeader(event, 'authorization');
  if (!token) {
    throw createError({ statusCode: 401, statusMessage: 'missing token' });
  }
  const user = await verify(token);
  if (!user) {
    setResponseStatus(event, 401);
    return { error: 'invalid token' };
  }
  return { user };
});
