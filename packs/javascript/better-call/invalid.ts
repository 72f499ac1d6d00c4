import { APIError, createAuthMiddleware } from 'better-auth/api';
import { APIError as CallError, createEndpoint } from 'better-call';

export const requireSession = createAuthMiddleware(async (ctx) => {
  const session = await readSession(ctx);
  if (!session) {
    // better-call sends the error with the headers it was given: none.
    throw new APIError('UNAUTHORIZED', { message: 'sign in first' });
  }
  return { session };
});

export const signIn = createEndpoint('/sign-in/pin', { method: 'POST' }, async (ctx) => {
  const user = await findByPin(ctx.body.pin);
  if (!user) {
    throw CallError.from('UNAUTHORIZED', { message: 'wrong pin', code: 'BAD_PIN' });
  }
  const session = await readSession(ctx);
  if (!session) {
    throw ctx.error('UNAUTHORIZED', { message: 'no session' });
  }
  if (session.userId !== user.id) {
    // a known user refused by policy
    throw new APIError('UNAUTHORIZED', { message: 'not allowed to act for this user' });
  }
  return ctx.json({ ok: true });
});

export const removeMember = createEndpoint('/member/remove', { method: 'POST' }, async (ctx) => {
  const session = await readSession(ctx);
  if (!session) {
    console.warn('remove member: no session');
    throw new APIError(
      'UNAUTHORIZED',
      { message: 'sign in first' },
    );
  }
  if (!session.user.isAdmin) {
    throw APIError.fromStatus('FORBIDDEN', { message: 'admins only' });
  }
  return ctx.json({ removed: true });
});
