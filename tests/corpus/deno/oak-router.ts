// oak application: the middleware answers a missing token correctly (log via
// std/log, status, then the header set on the same response). The admin route
// throws a 401 without challenge or log, and its role check sets 401 where a
// signed-in user lacks the role.
import { Application, Router, Status } from 'jsr:@oak/oak'
import * as log from 'jsr:@std/log'

const app = new Application()
const router = new Router()

app.use(async (ctx, next) => {
  const auth = ctx.request.headers.get('authorization')
  if (!auth) {
    log.warn('oak: missing token')
    ctx.response.status = Status.Unauthorized
    ctx.response.headers.set('WWW-Authenticate', 'Bearer realm="oak"')
    ctx.response.body = { error: 'Missing token' }
    return
  }
  ctx.state.user = await lookupUser(auth.replace('Bearer ', ''))
  await next()
})

router.get('/admin/users', (ctx) => {
  const user = ctx.state.user
  if (!user) {
    ctx.throw(Status.Unauthorized, 'Login required') // expect: require-www-authenticate, require-401-logging
  }
  if (!user.roles.includes('admin')) {
    ctx.response.status = Status.Unauthorized // expect: prefer-403-for-authorization
    ctx.response.body = { error: 'Insufficient role' }
    return
  }
  ctx.response.body = [{ id: 1, email: 'a@example.com' }]
})

async function lookupUser(token: string) {
  const res = await fetch('https://auth.internal/userinfo', { headers: { Authorization: `Bearer ${token}` } })
  return res.ok ? await res.json() : null
}

app.use(router.routes())
await app.listen({ port: 8000 })
