import { Elysia } from 'elysia';

export const app = new Elysia().get('/profile', async ({ headers, set }) => {
  const token = headers.authorization;
  if (!token) {
    set.status = 401;
    return { error: 'missing token' };
  }
  return loadProfile(token);
});
