// Express middleware verifying RS256 access tokens. The public key comes from
// the environment: when it is missing the server is broken (500), not the
// caller. The expired-token challenge has an error_description but no
// error="invalid_token", and the malformed-header challenge separates its
// parameters with a semicolon, which is not a valid challenge.
import jwt from 'jsonwebtoken'
import logger from '../utils/logger.js'

export function verifyAccessToken(req, res, next) {
  const publicKey = process.env.JWT_PUBLIC_KEY
  if (!publicKey) {
    logger.error('JWT_PUBLIC_KEY missing; cannot verify tokens')
    return res.sendStatus(401) // expect: no-401-for-server-error
  }

  const header = req.headers.authorization
  if (!header || !header.startsWith('Bearer ')) {
    logger.info('malformed Authorization header')
    res.set('WWW-Authenticate', 'Bearer realm="api"; error="invalid_request"') // expect: valid-www-authenticate
    return res.status(401).json({ error: 'Malformed Authorization header' })
  }

  try {
    req.user = jwt.verify(header.slice(7), publicKey, { algorithms: ['RS256'] })
    return next()
  } catch (err) {
    logger.warn({ name: err.name }, 'access token rejected')
    if (err.name === 'TokenExpiredError') {
      res.set('WWW-Authenticate', 'Bearer realm="api", error_description="token expired"') // expect: bearer-error-code
      return res.status(401).json({ error: 'Token expired' })
    }
    res.set('WWW-Authenticate', 'Bearer realm="api", error="invalid_token"')
    return res.status(401).json({ error: 'Invalid token' })
  }
}
