// Koa middleware verifying tokens with jose. The catch throws 401 with the
// library's message (e.g. '"exp" claim timestamp check failed'), no challenge
// and no log.
const { jwtVerify, createRemoteJWKSet } = require('jose')

const JWKS = createRemoteJWKSet(new URL(process.env.JWKS_URL))

module.exports = async function verify(ctx, next) {
  const token = (ctx.get('Authorization') || '').replace(/^Bearer /, '')
  try {
    const { payload } = await jwtVerify(token, JWKS)
    ctx.state.user = payload
  } catch (err) {
    ctx.throw(401, err.message) // expect: require-www-authenticate, require-401-logging, no-error-detail-in-401
  }
  await next()
}
