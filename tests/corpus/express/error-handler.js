// Express error-handling middleware placed after express-jwt. It logs, but
// express-jwt's UnauthorizedError reaches the client without a challenge and
// with its message ("jwt expired", "invalid signature") echoed in the body.
import logger from './utils/logger.js'

export function errorHandler(err, req, res, next) {
  if (res.headersSent) return next(err)

  if (err.name === 'UnauthorizedError') {
    logger.warn({ code: err.code }, 'express-jwt rejected the request')
    return res.status(401).json({ error: err.message }) // expect: require-www-authenticate, no-error-detail-in-401
  }

  logger.error(err)
  res.status(err.status || 500).json({ error: 'Internal error' })
}
