// Fastify deploy webhook checking an HMAC signature. The challenge someone
// added ends in a stray comma, which is not a valid challenge list.
import Fastify from 'fastify'
import crypto from 'node:crypto'

const app = Fastify({ logger: true })

function verifySignature(body, signature) {
  const expected = 'sha256=' + crypto.createHmac('sha256', process.env.HOOK_SECRET).update(body).digest('hex')
  return signature && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
}

app.post('/hooks/deploy', { config: { rawBody: true } }, async (request, reply) => {
  if (!verifySignature(request.rawBody, request.headers['x-hub-signature-256'])) {
    app.log.warn('bad deploy hook signature')
    return reply
      .code(401)
      .headers({ 'WWW-Authenticate': 'Bearer,' }) // expect: valid-www-authenticate
      .send()
  }
  return { deployed: true }
})

await app.listen({ port: 8080 })
