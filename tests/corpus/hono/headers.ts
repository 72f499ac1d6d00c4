// Hono routes showing where a challenge can live: c.header() before the
// response (fine), the third argument of c.json (fine, but not logged, and an
// expired token without error="invalid_token"), and c.status() + c.body() with
// nothing at all.
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'

const app = new Hono()

app.get('/me', async (c) => {
  const session = getCookie(c, 'session')
  if (!session) {
    console.log('GET /me: no session')
    c.header('WWW-Authenticate', 'Bearer realm="hono"')
    return c.json({ error: 'Not signed in' }, 401)
  }
  return c.json({ session })
})

app.get('/feed', async (c) => {
  const token = getCookie(c, 'token')
  if (!token) {
    return c.json({ error: 'Login required' }, 401, { 'WWW-Authenticate': 'Bearer realm="hono"' }) // expect: require-401-logging
  }
  if (isExpired(token)) {
    return c.json(
      { error: 'Token expired' },
      401, // expect: require-401-logging
      { 'WWW-Authenticate': 'Bearer realm="hono"' }, // expect: bearer-error-code
    )
  }
  return c.json([])
})

app.get('/export', (c) => {
  if (!c.get('user')) {
    c.status(401) // expect: require-www-authenticate, require-401-logging
    return c.body(null)
  }
  return c.text('id,name\n')
})

function isExpired(token: string): boolean {
  const [, body] = token.split('.')
  return JSON.parse(atob(body)).exp * 1000 < Date.now()
}

export default app
