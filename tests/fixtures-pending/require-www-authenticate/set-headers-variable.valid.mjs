// Header objects passed to Express/Koa setters by name: `res.set(challenge)`,
// `res.set(authHeaders())`, `ctx.set(challenge)`. All carry WWW-Authenticate,
// yet each 401 is reported as missing it. Cause: chain_challenge and
// header_set_on only look inside a string name or an object *literal* first
// argument; an identifier or call there is neither resolved (eval_headers
// could: it follows locals, imports and header builders) nor treated as
// opaque. The last Express route passes headers authlint can't see into: per
// the README it must stay silent, and it is reported too.
import express from 'express'
import Router from '@koa/router'
import { challenge, authHeaders } from '../_shared/challenge.mjs'
import { loadHeaders } from './headers-from-config.mjs'

const app = express()
const router = new Router()
const localChallenge = { 'WWW-Authenticate': 'Basic realm="admin"' }

// An object variable passed to `.set(…)`: the challenge is in the object.
app.get('/a', (req, res) => {
  if (!req.user) {
    console.warn('Returning 401 - reason: no user')
    return res.status(401).set(challenge).json({ error: 'Unauthorized' })
  }
  res.json(req.user)
})

app.get('/b', (req, res) => {
  if (!req.user) {
    console.warn('Returning 401 - reason: no user')
    res.set(localChallenge)
    return res.status(401).json({ error: 'Unauthorized' })
  }
  res.json(req.user)
})

// A header builder (imported) passed to `.set(…)`.
app.get('/c', (req, res) => {
  if (!req.user) {
    console.warn('Returning 401 - reason: no user')
    return res.status(401).set(authHeaders()).json({ error: 'Unauthorized' })
  }
  res.json(req.user)
})

// Headers from somewhere authlint can't see into: it must stay silent.
app.get('/d', (req, res) => {
  if (!req.user) {
    console.warn('Returning 401 - reason: no user')
    return res.status(401).set(loadHeaders()).json({ error: 'Unauthorized' })
  }
  res.json(req.user)
})

router.get('/e', async (ctx) => {
  if (!ctx.state.user) {
    console.warn('Returning 401 - reason: no user')
    ctx.set(challenge)
    ctx.status = 401
  }
})
