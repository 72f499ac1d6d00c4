import express from 'express';
import httpErrors from 'http-errors';

const router = express.Router();

const challenge = { 'WWW-Authenticate': 'ApiKey realm="api"' };

router.use((req, _res, next) => {
  const key = req.get('x-api-key');
  if (!key) {
    console.warn('api: request without an API key');
    return next(httpErrors(401, 'API key required', { headers: challenge }));
  }
  const account = accounts.byKey(key);
  if (!account?.scopes.includes('write')) {
    console.warn('api: key without the write scope');
    return next(new httpErrors.Forbidden('write permission required'));
  }
  req.account = account;
  next();
});

// A local function that happens to share the name is not http-errors.
function createError(status: number, message: string) {
  return { status, message };
}
export const notAResponse = createError(401, 'x');

export default router;
