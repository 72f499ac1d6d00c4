// oak (Deno): the finding is right, but the fix writes Koa's
// `ctx.response.set(…)`, which oak's Response does not have. Expected fix:
//   ctx.response.headers.set('WWW-Authenticate', 'Bearer realm="api"')
// (oak is recognisable from the import; its Status enum is already known).
import { Application, Status } from 'jsr:@oak/oak'

const app = new Application()

app.use(async (ctx, next) => {
  if (!ctx.request.headers.get('Authorization')) {
    console.log('Returning 401 - reason: missing Authorization header')
    ctx.response.status = Status.Unauthorized
    ctx.response.body = { error: 'Unauthorized' }
    return
  }
  await next()
})

await app.listen({ port: 8000 })
