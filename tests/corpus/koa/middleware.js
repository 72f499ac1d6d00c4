// Koa auth middleware. The missing-header case sets ctx.status = 401 with no
// challenge and no log; the bad-token case logs and passes the challenge in
// ctx.throw's headers property, which Koa copies onto the error response.
const jwt = require('jsonwebtoken')

async function auth(ctx, next) {
  const header = ctx.get('Authorization')
  if (!header) {
    ctx.status = 401 // expect: require-www-authenticate, require-401-logging
    ctx.body = { error: 'Missing Authorization header' }
    return
  }
  try {
    ctx.state.user = jwt.verify(header.replace(/^Bearer /, ''), process.env.JWT_SECRET)
  } catch (err) {
    console.warn('invalid token', err.name)
    ctx.throw(401, 'Invalid token', {
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    })
  }
  await next()
}

module.exports = auth
