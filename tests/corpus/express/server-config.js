// Express app bootstrap with an inline auth check. When JWT_SECRET is missing
// the server cannot verify anything: that is a 500, not the caller's 401.
const express = require('express')
const jwt = require('jsonwebtoken')

const app = express()

app.use('/api', (req, res, next) => {
  if (!process.env.JWT_SECRET) {
    console.error('JWT_SECRET is not configured')
    return res.status(401).json({ error: 'Authentication unavailable' }) // expect: no-401-for-server-error
  }
  const token = (req.headers.authorization || '').replace('Bearer ', '')
  try {
    req.user = jwt.verify(token, process.env.JWT_SECRET)
    return next()
  } catch (e) {
    console.warn('rejected token', e.name)
    res.header('WWW-Authenticate', 'Bearer error="invalid_token"')
    return res.status(401).json({ error: 'Invalid token' })
  }
})

app.listen(process.env.PORT || 3000)
