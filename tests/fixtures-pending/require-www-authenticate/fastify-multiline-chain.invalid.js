// Right findings, but the fix for a chain written one call per line puts the
// new call on the `.code(401)` line:
//     .code(401).header('WWW-Authenticate', 'Bearer realm="api"')
// Expected: its own line, with the chain's indentation:
//     .code(401)
//     .header('WWW-Authenticate', 'Bearer realm="api"')
//     .send({ error: 'Unauthorized' })
// (The same insertion code serves Express `.set(…)`.)
'use strict'

const fastify = require('fastify')({ logger: true })

fastify.addHook('onRequest', async (request, reply) => {
  if (!request.headers.authorization) {
    request.log.warn('Returning 401 - reason: missing token')
    return reply
      .code(401)
      .send({ error: 'Unauthorized' })
  }
})

fastify.get('/me', async (request, reply) => {
  if (!request.user) {
    request.log.warn('Returning 401 - reason: no user')
    reply.status(401)
    return { error: 'Unauthorized' }
  }
  return request.user
})

fastify.listen({ port: 3000 })
