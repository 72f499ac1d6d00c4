// Cloudflare Worker using Hono's `jwt` middleware. The middleware throws an
// HTTPException whose response carries the Bearer challenge; this onError
// hook flattens every HTTPException into JSON and so drops it for the 401
// branch (logged, but no challenge). The generic branch forwards
// `err.status` and is not a literal 401.
import { Hono } from 'hono'
import { jwt } from 'hono/jwt'
import { HTTPException } from 'hono/http-exception'

type Env = { Bindings: { JWT_SECRET: string } }

const app = new Hono<Env>()

app.use('/api/*', (c, next) => jwt({ secret: c.env.JWT_SECRET, alg: 'HS256' })(c, next))

app.get('/api/me', (c) => c.json(c.get('jwtPayload')))

app.onError((err, c) => {
  if (err instanceof HTTPException) {
    if (err.status === 401) {
      console.warn('jwt rejected:', err.message)
      return c.json({ error: 'unauthorized', message: 'Sign in again' }, 401) // expect: require-www-authenticate
    }
    return c.json({ error: err.message }, err.status)
  }
  console.error(err)
  return c.json({ error: 'internal' }, 500)
})

export default app
