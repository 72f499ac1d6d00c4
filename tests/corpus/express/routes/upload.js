// Express upload route. A CSRF mismatch is correctly a 403 even though its
// message says "invalid ... token"; an expired access token answers 403 where
// the client needs a 401 to refresh.
const express = require('express')
const jwt = require('jsonwebtoken')

const router = express.Router()

function decodeToken(header) {
  return jwt.decode((header || '').replace('Bearer ', '')) || { exp: 0 }
}

router.post('/upload', (req, res) => {
  if (req.get('x-csrf-token') !== req.session.csrfToken) {
    return res.status(403).json({ error: 'Invalid CSRF token' })
  }

  const claims = decodeToken(req.get('authorization'))
  if (claims.exp * 1000 < Date.now()) {
    return res.status(403).json({ error: 'Token expired' }) // expect: prefer-401-for-authentication
  }

  res.status(201).json({ stored: req.file && req.file.filename })
})

module.exports = router
