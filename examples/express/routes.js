// Express routes behind the auth middleware. authlint: the role check answers
// 401 where the user is known (403), the GitHub route forwards GitHub's
// status, and the report route answers 401 for a bad parameter (400). The
// scope check (403 with an insufficient_scope challenge) is right.
const express = require('express')
const { auth } = require('./auth')

const router = express.Router()
router.use(auth)

router.delete('/users/:id', (req, res) => {
  if (req.user.role !== 'admin') {
    return res.status(401).json({ error: 'Admin only' })
  }
  res.sendStatus(204)
})

router.get('/repos', async (req, res) => {
  const r = await fetch('https://api.github.com/user/repos', {
    headers: { Authorization: `Bearer ${req.user.githubToken}` },
  })
  res.status(r.status).json(await r.json())
})

router.get('/reports/:id', (req, res) => {
  if (!/^[0-9]+$/.test(req.params.id)) {
    return res.status(401).json({ error: 'Invalid id' })
  }
  res.json({ id: req.params.id })
})

router.post('/exports', (req, res) => {
  if (!req.user.scopes.includes('exports:write')) {
    return res
      .status(403)
      .set('WWW-Authenticate', 'Bearer error="insufficient_scope", scope="exports:write"')
      .json({ error: 'insufficient_scope' })
  }
  res.status(202).json({ queued: true })
})

module.exports = router
