// Express auth middleware as printed on a popular HTTP status reference page:
// the missing-token 401 challenges but logs nothing; the catch-all 401 for a
// bad token has neither header nor log.
const { verify } = require('jsonwebtoken')

const SECRET = process.env.JWT_SECRET

const auth = (req, res, next) => {
  const token = req.headers.authorization?.split(' ')[1]
  if (!token) {
    return res
      .status(401) // expect: require-401-logging
      .set('WWW-Authenticate', 'Bearer realm="api"')
      .json({ error: 'Authentication required' })
  }
  try {
    req.user = verify(token, SECRET)
    next()
  } catch {
    res.status(401).json({ error: 'Invalid or expired token' }) // expect: require-www-authenticate, require-401-logging
  }
}

module.exports = { auth }
