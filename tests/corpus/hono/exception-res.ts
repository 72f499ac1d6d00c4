// Hono middleware throwing an HTTPException that carries a full Response (the
// `res` option): its challenge counts for the exception. Correct, so silent.
// The upstream route forwards the upstream status.
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'

const app = new Hono()

app.use('/private/*', async (c, next) => {
  const key = c.req.header('X-API-Key')
  if (key !== 'expected') {
    console.warn('rejecting request', c.req.path)
    throw new HTTPException(401, {
      res: new Response('Unauthorized', {
        status: 401,
        headers: { 'WWW-Authenticate': 'ApiKey realm="hono"' },
      }),
    })
  }
  await next()
})

app.get('/private/upstream', async (c) => {
  const r = await fetch('https://internal.example.com/data', { headers: { 'X-Service': 'edge' } })
  return c.json(await r.json(), r.status) // expect: no-forwarded-401
})

export default app
