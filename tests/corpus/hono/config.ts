// Hono on Workers with secrets from bindings. A missing binding is answered
// 401 (a server fault); the challenge on the bad-key branch forgets the comma
// between its parameters. The last route's spaces around "=" are allowed.
import { Hono } from 'hono'

type Bindings = { JWT_SECRET?: string; PARTNER_KEY: string }
const app = new Hono<{ Bindings: Bindings }>()

app.use('/v1/*', async (c, next) => {
  if (!c.env.JWT_SECRET) {
    console.error('JWT_SECRET binding is missing')
    return c.json({ error: 'Auth misconfigured' }, 401) // expect: no-401-for-server-error
  }
  await next()
})

app.get('/partner/feed', (c) => {
  if (c.req.header('X-Partner-Key') !== c.env.PARTNER_KEY) {
    console.warn('bad partner key')
    return c.json({ error: 'Unknown partner key' }, 401, {
      'WWW-Authenticate': 'PartnerKey realm="feeds" charset="UTF-8"', // expect: valid-www-authenticate
    })
  }
  return c.json([])
})

app.get('/partner/status', (c) => {
  if (!c.req.header('X-Partner-Key')) {
    console.warn('partner status without key')
    return c.json({ error: 'Partner key required' }, 401, {
      'WWW-Authenticate': 'PartnerKey realm = "feeds"',
    })
  }
  return c.json({ ok: true })
})

export default app
