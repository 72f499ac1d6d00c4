// Hono API behind `bearerAuth`. The middleware's own 401s carry
// `WWW-Authenticate: Bearer …`; the onError hook keeps them by returning
// `err.getResponse()`. The handler's own HTTPException(401) for a revoked key
// has no `res`, so it sends no challenge and is not logged. The 403 for a
// read-only key is correct.
import { Hono } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import { lookupKey } from './keys'

type Env = { Bindings: { API_KEYS: KVNamespace } }

const app = new Hono<Env>()

app.use(
  '/v1/*',
  bearerAuth({
    verifyToken: async (token, c) => (await c.env.API_KEYS.get(token)) !== null,
  }),
)

app.get('/v1/projects', async (c) => {
  const key = await lookupKey(c.env.API_KEYS, c.req.header('Authorization'))
  if (key?.revoked) {
    throw new HTTPException(401, { message: 'API key revoked' }) // expect: require-www-authenticate, require-401-logging
  }
  return c.json({ projects: [] })
})

app.delete('/v1/projects/:id', async (c) => {
  const key = await lookupKey(c.env.API_KEYS, c.req.header('Authorization'))
  if (key?.scope !== 'write') {
    return c.json({ error: 'This key is read-only' }, 403) // expect: bearer-insufficient-scope
  }
  return c.body(null, 204)
})

app.onError((err, c) => {
  if (err instanceof HTTPException) {
    return err.getResponse()
  }
  console.error(err)
  return c.json({ error: 'Internal Server Error' }, 500)
})

export default app
