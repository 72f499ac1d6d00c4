// Fastify preHandler verifying tokens by hand. It logs and challenges
// correctly but serialises the caught error into the 401 body. The 500 that
// includes the error is not an authentication response.
import type { FastifyReply, FastifyRequest } from 'fastify'
import jwt from 'jsonwebtoken'

export async function requireUser(request: FastifyRequest, reply: FastifyReply) {
  const token = request.headers.authorization?.replace('Bearer ', '') ?? ''
  let secret: string
  try {
    secret = await loadSecret()
  } catch (err) {
    request.log.error({ err }, 'could not load signing secret')
    return reply.code(500).send({ error: `secret store: ${String(err)}` })
  }
  try {
    request.user = jwt.verify(token, secret)
  } catch (err) {
    request.log.warn({ err }, 'token rejected')
    return reply
      .code(401)
      .header('WWW-Authenticate', 'Bearer error="invalid_token"')
      .send({ error: String(err) }) // expect: no-error-detail-in-401
  }
}

async function loadSecret(): Promise<string> {
  const res = await fetch('http://secrets.internal/jwt')
  return res.text()
}
