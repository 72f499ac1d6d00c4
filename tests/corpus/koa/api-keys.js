// Koa routes for personal API tokens. An expired token is answered with 403,
// so clients never try to refresh; the admin listing is a correct 403.
const Router = require('@koa/router')

const router = new Router({ prefix: '/tokens' })

router.use(async (ctx, next) => {
  const token = ctx.state.apiToken
  if (token && token.expiresAt < Date.now()) {
    ctx.throw(403, 'API token expired') // expect: prefer-401-for-authentication
  }
  await next()
})

router.get('/all', async (ctx) => {
  if (!ctx.state.user.isAdmin) {
    ctx.status = 403
    ctx.body = { error: 'Admins only' }
    return
  }
  ctx.body = await ctx.db.tokens.all()
})

module.exports = router
