// Hono's c.json/c.text/c.body also take a ResponseInit as their second
// argument: `c.json(body, { status: 401, headers })`. authlint only reads a
// status from a number in that position, so these 401s are never seen.
// Expected: one require-www-authenticate finding each, fixed by adding a
// `WWW-Authenticate` entry to the init's `headers` (or a `headers` property).
import { Hono } from 'hono'

const app = new Hono()

app.get('/a', (c) => {
  console.log('Returning 401 - reason: no session')
  return c.json({ error: 'Unauthorized' }, { status: 401 })
})

app.get('/b', (c) => {
  console.log('Returning 401 - reason: no session')
  return c.text('Unauthorized', { status: 401, headers: { 'Content-Type': 'text/plain' } })
})

app.get('/c', (c) => {
  console.log('Returning 401 - reason: no session')
  return c.body(null, { status: 401 })
})

export default app
