// Fastify routes in TypeScript. A missing API key answers 403; an unknown key
// answers 401 with neither challenge nor log; the session route sets the header
// on `reply` in an earlier statement and logs, so it is fine.
import type { FastifyInstance } from 'fastify'

export async function routes(app: FastifyInstance) {
  app.get('/keys', async (request, reply) => {
    const key = request.headers['x-api-key']
    if (!key) {
      return reply.status(403).send({ message: 'Missing API key' }) // expect: prefer-401-for-authentication
    }
    const account = await app.db.accounts.byKey(String(key))
    if (!account) {
      return reply.status(401).send({ message: 'Unknown API key' }) // expect: require-www-authenticate, require-401-logging
    }
    return account.keys
  })

  app.get('/session', async (request, reply) => {
    const session = await app.sessions.get(request.cookies.sid ?? '')
    if (!session) {
      request.log.info('no session cookie')
      reply.header('WWW-Authenticate', 'Bearer realm="fastify"')
      return reply.code(401).send({ message: 'Sign in required' })
    }
    return session
  })
}
