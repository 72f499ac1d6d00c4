// Express app using express-jwt. express-jwt sends nothing on failure: it
// calls next(err) with an UnauthorizedError, so this error handler writes the
// 401 clients see. The expired-token branch logs and challenges correctly;
// the other branch logs but sends no challenge. The admin route mixes "no
// token" with "not an admin" in one condition.
const express = require('express')
const { expressjwt } = require('express-jwt')
const logger = require('../utils/logger')

const app = express()

app.use(
  '/api',
  expressjwt({ secret: process.env.JWT_SECRET, algorithms: ['HS256'], credentialsRequired: false }),
)

app.get('/api/admin/stats', (req, res) => {
  if (!req.auth || req.auth.role !== 'admin') return res.status(403).json({ error: 'Forbidden' }) // expect: prefer-401-for-authentication
  res.json({ users: 42 })
})

app.use((err, req, res, next) => {
  if (err.name !== 'UnauthorizedError') return next(err)
  logger.warn('jwt rejected', { code: err.code })
  if (err.code === 'invalid_token' && err.inner?.name === 'TokenExpiredError') {
    res.set('WWW-Authenticate', 'Bearer error="invalid_token", error_description="expired"')
    return res.status(401).json({ error: 'token expired' })
  }
  res.status(401).json({ error: 'unauthorized' }) // expect: require-www-authenticate
})

module.exports = app
