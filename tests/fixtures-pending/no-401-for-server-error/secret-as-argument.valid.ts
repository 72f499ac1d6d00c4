// The server's secret is only an *argument* of the cookie check; `!session`
// means the request has no valid signed cookie (401). authlint reports
// no-401-for-server-error because the initialiser text contains `env.`.
import { Hono } from 'hono'
import { getSignedCookie } from 'hono/cookie'
import { verify } from 'hono/jwt'

const app = new Hono<{ Bindings: { COOKIE_SECRET: string; JWT_SECRET: string } }>()

app.use('/app/*', async (c, next) => {
  const session = await getSignedCookie(c, c.env.COOKIE_SECRET, 'session')
  if (!session) {
    console.log('Returning 401 - reason: no session cookie')
    return c.text('Login required', 401, { 'WWW-Authenticate': 'Bearer' })
  }
  await next()
})

app.use('/api/*', async (c, next) => {
  const token = c.req.header('Authorization')?.slice(7) ?? ''
  const payload = await verify(token, c.env.JWT_SECRET).catch(() => null)
  if (!payload) {
    console.log('Returning 401 - reason: bad token')
    return c.text('Invalid token', 401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
  }
  await next()
})

export default app
