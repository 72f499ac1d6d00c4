// Fastify auth plugin in the @fastify/jwt README style. `authenticate`
// forwards the verification error with `reply.send(err)`: @fastify/jwt's
// errors carry statusCode 401 but no WWW-Authenticate header, and the
// forwarded 401 is not logged. `authenticateAdmin` logs, challenges, and
// answers a correct 403 for non-admins.
const fp = require('fastify-plugin')

module.exports = fp(async function authPlugin(fastify) {
  fastify.register(require('@fastify/jwt'), {
    secret: process.env.JWT_SECRET,
    sign: { expiresIn: '15m' },
  })

  fastify.decorate('authenticate', async function (request, reply) {
    try {
      await request.jwtVerify()
    } catch (err) {
      reply.send(err) // expect: require-www-authenticate, require-401-logging
    }
  })

  fastify.decorate('authenticateAdmin', async function (request, reply) {
    try {
      await request.jwtVerify()
    } catch (err) {
      request.log.info({ code: err.code }, 'admin token rejected')
      reply.header('WWW-Authenticate', 'Bearer realm="admin", error="invalid_token"')
      return reply.send(err)
    }
    if (!request.user.admin) {
      return reply.code(403).send({ error: 'Admins only' })
    }
  })
})
