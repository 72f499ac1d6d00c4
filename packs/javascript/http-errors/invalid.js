const express = require('express');
const createError = require('http-errors');

const router = express.Router();

router.use((req, res, next) => {
  const key = req.get('x-api-key');
  if (!key) {
    console.warn('api: request without an API key');
    // No challenge: the final handler sends the error's headers, and there are none.
    return next(createError(401, 'API key required'));
  }
  const account = accounts.byKey(key);
  if (!account) {
    console.warn('api: unknown API key');
    return next(createError(401, 'unknown API key', { expose: true }));
  }
  if (!account.active) {
    console.warn('api: account suspended');
    return next(new createError.Unauthorized('account suspended'));
  }
  if (!account.scopes.includes('write')) {
    console.warn('api: key without the write scope');
    return next(createError(401, 'write permission required'));
  }
  req.account = account;
  next();
});

module.exports = router;
