// One 401 response, reported twice: the HTTPException and the Response passed
// as its `res` are the same response. Expected: one finding per rule (on the
// HTTPException), one log line inserted.
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'

const app = new Hono()
const challenge = { 'WWW-Authenticate': 'Bearer realm="hono"' }

app.get('/api/keys', async (c) => {
  if (c.req.header('x-api-key') !== 'secret') {
    throw new HTTPException(401, { message: 'Invalid API key', res: new Response('Invalid API key', { status: 401, headers: challenge }) })
  }
  return c.json({ keys: [] })
})

export default app
