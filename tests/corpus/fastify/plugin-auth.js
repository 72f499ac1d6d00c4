// Fastify plugin decorating `authenticate` (@fastify/jwt) and `requireAdmin`.
// The jwtVerify failure logs and challenges, but its Bearer challenge on an
// invalid/expired token lacks error="invalid_token". requireAdmin answers 401
// "Admin only".
import fp from 'fastify-plugin'

export default fp(async function authPlugin(fastify) {
  fastify.decorate('authenticate', async function (request, reply) {
    try {
      await request.jwtVerify()
    } catch (err) {
      request.log.warn({ err }, 'jwt verification failed')
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="api"') // expect: bearer-error-code
        .send({ error: 'Invalid or expired token' })
    }
  })

  fastify.decorate('requireAdmin', async function (request, reply) {
    if (request.user.role !== 'admin') {
      return reply.code(401).send({ error: 'Admin only' }) // expect: prefer-403-for-authorization
    }
  })
})
