import { APIError, createAuthMiddleware } from 'better-auth/api';

const challenge = { 'WWW-Authenticate': 'Bearer realm="app"' };

export const requireSession = createAuthMiddleware(async (ctx) => {
  const session = await readSession(ctx);
  if (!session) {
    ctx.context.logger.warn('no session on a protected route');
    throw new APIError('UNAUTHORIZED', { message: 'sign in first' }, challenge);
  }
  if (!session.user.emailVerified) {
    throw APIError.from('FORBIDDEN', { message: 'verify your e-mail', code: 'UNVERIFIED' });
  }
  return { session };
});

// An error class of the same name from elsewhere, with no status name.
class ApiError extends Error {}
export function fail(reason: string) {
  throw new ApiError(reason);
}
