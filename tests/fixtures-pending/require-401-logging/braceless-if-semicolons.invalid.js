// With semicolons the one-line wrap parses, but nobody writes
//   if (err) { logger.warn('…'); return res.status(401)…; }
// Expected fix: a block on its own lines, indented like the file:
//   if (err) {
//     logger.warn('Returning 401 - reason: …');
//     return res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"').end();
//   }
const jwt = require('jsonwebtoken');
const logger = require('pino')();

function requireUser(req, res, next) {
  jwt.verify(req.token, process.env.JWT_SECRET, (err, claims) => {
    if (err) return res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"').end();
    req.user = claims;
    next();
  });
}

module.exports = { requireUser };
