// A Hono app on Cloudflare Workers. authlint: the bare c.json 401 (no
// challenge, no log), the HTTPException whose message leaks the verify error,
// and the Bearer challenge for an expired token without error="invalid_token"
// (info). /health is a deliberate suppression.
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { verify } from 'hono/jwt'

const app = new Hono<{ Bindings: { JWT_SECRET: string; METRICS_TOKEN: string } }>()

app.use('/api/*', async (c, next) => {
  const auth = c.req.header('Authorization')
  if (!auth) {
    return c.json({ error: 'Unauthorized' }, 401)
  }
  try {
    const payload = await verify(auth.replace('Bearer ', ''), c.env.JWT_SECRET)
    if (payload.exp && payload.exp * 1000 < Date.now()) {
      console.warn('expired token for', payload.sub)
      c.header('WWW-Authenticate', 'Bearer realm="api"')
      return c.json({ error: 'Token expired' }, 401)
    }
    c.set('jwtPayload', payload)
  } catch (e) {
    console.error('jwt verify failed', e)
    throw new HTTPException(401, { message: `Invalid token: ${e}` })
  }
  await next()
})

app.get('/health', (c) => {
  if (c.req.header('X-Metrics-Token') !== c.env.METRICS_TOKEN) {
    console.warn('health probe with a bad token')
    // authlint-ignore require-www-authenticate: internal load-balancer probe, never a browser
    return c.text('Unauthorized', 401)
  }
  return c.text('ok')
})

app.get('/api/me', (c) => c.json(c.get('jwtPayload')))

export default app
