import { Elysia } from 'elysia';

export const admin = new Elysia({ prefix: '/admin' })
  .get('/users', ({ headers, status }) => {
    if (!headers.authorization) {
      console.warn('users: no Authorization header');
      return status(401, 'Unauthorized');
    }
    return listUsers();
  })
  .delete('/users/:id', ({ headers, error, set }) => {
    if (!headers.authorization) {
      console.warn('delete user: no Authorization header');
      return error(401, { message: 'sign in first' });
    }
    set.status = 204;
  });
