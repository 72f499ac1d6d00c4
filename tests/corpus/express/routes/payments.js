// Express payments route. The anonymous case is right (Sentry message first,
// res.append for the challenge). The refund's ownership failure arrives as an
// error code in a catch block and answers 401 "do not have permission".
import { Router } from 'express'
import * as Sentry from '@sentry/node'
import { refund } from '@acme/payments'

const router = Router()

router.post('/refund', async (req, res) => {
  if (!req.user) {
    Sentry.captureMessage('refund attempted without a user')
    res.append('WWW-Authenticate', 'Bearer realm="payments"')
    return res.status(401).json({ error: 'Sign in to request a refund' })
  }

  try {
    await refund(req.body.chargeId, req.user.id)
  } catch (err) {
    if (err.code === 'NOT_OWNER') {
      return res.status(401).json({ error: 'You do not have permission to refund this charge' }) // expect: prefer-403-for-authorization
    }
    Sentry.captureException(err)
    return res.status(500).json({ error: 'Refund failed' })
  }
  res.json({ ok: true })
})

export default router
