// Express billing routes using the shared sendError(res, status, message)
// helper. The token-rejected branch logs with pino-http's req.log but echoes
// the verifier's error message back to the client.
import { Router } from 'express'
import { sendError, sendOk } from '../utils/http.js'
import { verifyToken } from '@acme/auth'

const router = Router()

router.post('/subscriptions', async (req, res) => {
  const token = req.headers['authorization']
  if (!token) return sendError(res, 401, 'No token provided') // expect: require-www-authenticate, require-401-logging

  let claims
  try {
    claims = await verifyToken(token)
  } catch (err) {
    req.log.warn({ err }, 'token rejected')
    return sendError(res, 401, err.message) // expect: require-www-authenticate, no-error-detail-in-401
  }

  if (!claims.scopes.includes('billing:write')) {
    return sendError(res, 403, 'Insufficient scope') // expect: bearer-insufficient-scope
  }
  if (claims.plan === 'free') return sendError(res, 402, 'Upgrade required')

  return sendOk(res, { subscribed: true })
})

export default router
