// Express reports routes with http-status-codes constants. The anonymous case
// is right (log, then the chain in header-first order). The permission check
// answers 401 for a known user; the CSV export check is a correct 403.
import { Router } from 'express'
import { StatusCodes } from 'http-status-codes'
import log from 'loglevel'

const router = Router()

router.get('/reports', (req, res) => {
  if (!req.user) {
    log.warn('reports: no user on request')
    return res
      .set('WWW-Authenticate', 'Bearer realm="reports"')
      .status(StatusCodes.UNAUTHORIZED)
      .json({ error: 'Authentication required' })
  }
  if (!req.user.permissions.includes('reports:read')) {
    return res.status(StatusCodes.UNAUTHORIZED).json({ error: 'Missing permission reports:read' }) // expect: prefer-403-for-authorization
  }
  if (req.query.format === 'csv' && !req.user.isAdmin) {
    return res.status(StatusCodes.FORBIDDEN).json({ error: 'CSV export is admin only' })
  }
  res.json({ reports: [] })
})

export default router
