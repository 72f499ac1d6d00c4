// Express middleware in callback style. The malformed-header 401 sets its
// challenge with res.set() first but logs nothing. The console.error inside the
// jwt.verify callback counts for the 401 in that callback, whose challenge
// carries error="invalid_token".
const jwt = require('jsonwebtoken')

module.exports = function authenticate(req, res, next) {
  const header = req.get('Authorization') || ''
  const [scheme, token] = header.split(' ')
  if (scheme !== 'Bearer' || !token) {
    res.set('WWW-Authenticate', 'Bearer realm="api"')
    return res.status(401).send({ message: 'Missing bearer token' }) // expect: require-401-logging
  }

  jwt.verify(token, process.env.JWT_SECRET, function (err, payload) {
    if (err) {
      console.error('jwt.verify failed:', err.name)
      res.set('WWW-Authenticate', 'Bearer realm="api", error="invalid_token"')
      return res.status(401).send({ message: 'Invalid token' })
    }
    req.user = payload
    next()
  })
}
