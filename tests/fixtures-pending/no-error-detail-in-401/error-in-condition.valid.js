// The caught error only *selects* one of two fixed messages; nothing from the
// exception reaches the client. authlint flags `err` because echoed_error
// reports any caught identifier anywhere in the body expression, including
// inside a condition (`err instanceof …`, `err.name === …`).
const jwt = require('jsonwebtoken')

app.use((req, res, next) => {
  try {
    req.user = jwt.verify(req.token, process.env.JWT_SECRET)
    next()
  } catch (err) {
    console.error('verify failed', err)
    res.status(401).set('WWW-Authenticate', 'Bearer').json({
      error: err instanceof jwt.TokenExpiredError ? 'Token expired' : 'Invalid token',
    })
  }
})

app.get('/me', (req, res) => {
  jwt.verify(req.token, process.env.JWT_SECRET, (err, user) => {
    if (err) {
      console.error('verify failed', err)
      return res.status(401).set('WWW-Authenticate', 'Bearer').json({ code: err.name === 'TokenExpiredError' ? 'expired' : 'invalid' })
    }
    res.json(user)
  })
})
