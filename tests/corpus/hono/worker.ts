// Hono app on Cloudflare Workers with a hand-rolled JWT middleware. The
// missing-header 401 has no challenge or log; the verify failure logs but
// throws an HTTPException without a challenge whose message embeds the error;
// the delete route answers 401 "Forbidden" to a non-author.
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { verify } from 'hono/jwt'

type Bindings = { JWT_SECRET: string; DB: D1Database }
const app = new Hono<{ Bindings: Bindings }>()

app.use('/api/*', async (c, next) => {
  const auth = c.req.header('Authorization')
  if (!auth?.startsWith('Bearer ')) {
    return c.json({ error: 'Unauthorized' }, 401) // expect: require-www-authenticate, require-401-logging
  }
  try {
    c.set('jwtPayload', await verify(auth.slice(7), c.env.JWT_SECRET))
  } catch (e) {
    console.error('jwt verify failed', e)
    throw new HTTPException(401, { message: `Invalid token: ${e}` }) // expect: require-www-authenticate, no-error-detail-in-401
  }
  await next()
})

app.delete('/api/posts/:id', async (c) => {
  const payload = c.get('jwtPayload')
  const post = await c.env.DB.prepare('SELECT author_id FROM posts WHERE id = ?').bind(c.req.param('id')).first()
  if (!post) return c.notFound()
  if (post.author_id !== payload.sub) {
    return c.text('Forbidden', 401) // expect: prefer-403-for-authorization
  }
  await c.env.DB.prepare('DELETE FROM posts WHERE id = ?').bind(c.req.param('id')).run()
  return c.body(null, 204)
})

export default app
