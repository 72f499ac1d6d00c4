// Express auth middleware as printed on a popular HTTP reference page.
// authlint: the first 401 challenges but logs nothing; the catch-all 401 has
// neither a challenge nor a log line.
const { verify } = require('jsonwebtoken')

const SECRET = process.env.JWT_SECRET

const auth = (req, res, next) => {
  const token = req.headers.authorization?.split(' ')[1]
  if (!token) {
    return res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="api"')
      .json({ error: 'Authentication required' })
  }
  try {
    req.user = verify(token, SECRET)
    next()
  } catch {
    res.status(401).json({ error: 'Invalid or expired token' })
  }
}

module.exports = { auth }
