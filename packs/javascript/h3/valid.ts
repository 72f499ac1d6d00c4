import {
  createError,
  defineEventHandler,
  getHeader,
  setResponseHeader,
  setResponseStatus,
} from 'h3';

export default defineEventHandler(async (event) => {
  const token = getHeader(event, 'authorization');
  if (!token) {
    console.warn('no Authorization header');
    setResponseHeader(event, 'WWW-Authenticate', 'Bearer realm="api"');
    throw createError({ statusCode: 401, statusMessage: 'missing token' });
  }
  const user = await verify(token);
  if (!user) {
    console.warn('token rejected');
    setResponseHeader(event, 'WWW-Authenticate', 'Bearer error="invalid_token"');
    setResponseStatus(event, 401);
    return { error: 'invalid token' };
  }
  return { user };
});
