// Express profile routes in an older style: the status is set on one statement
// and the body sent on a later one. GET forgets everything; PUT sets the header
// with setHeader and uses res.statusCode / res.end, and logs first.
import { Router } from 'express'
import { verifySession } from '../utils/session.js'

export const profile = Router()

profile.get('/me', async function (req, res) {
  const session = await verifySession(req.cookies.sid)
  if (!session) {
    res.status(401) // expect: require-www-authenticate, require-401-logging
    res.json({ error: 'Session expired' })
    return
  }
  res.json(session.user)
})

profile.put('/me', async function (req, res) {
  const session = await verifySession(req.cookies.sid)
  if (!session) {
    console.info('PUT /me without a session')
    res.setHeader('WWW-Authenticate', 'Bearer realm="app"')
    res.statusCode = 401
    res.end()
    return
  }
  session.user.displayName = req.body.displayName
  res.json(session.user)
})
