// Express router for orders, with statuses imported from ../utils/status.js.
// The anonymous 401 logs through the shared pino logger but sends no challenge;
// the ownership check after it answers 401 where it means 403.
import express from 'express'
import { prisma } from '@acme/db'
import { UNAUTHORIZED, NOT_FOUND } from '../utils/status.js'
import logger from '../utils/logger.js'

const router = express.Router()

router.get('/:id', async (req, res) => {
  if (!req.session.userId) {
    logger.info({ path: req.path }, 'orders: anonymous request')
    return res.sendStatus(UNAUTHORIZED) // expect: require-www-authenticate
  }

  const order = await prisma.order.findUnique({ where: { id: req.params.id } })
  if (!order) return res.sendStatus(NOT_FOUND)
  if (order.userId !== req.session.userId) {
    return res.sendStatus(UNAUTHORIZED) // expect: prefer-403-for-authorization
  }
  res.json(order)
})

export default router
