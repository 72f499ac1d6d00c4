// Express team route picking the status with a literal conditional. The 401
// branch (no user) is the right code but has no challenge and no log; the 403
// branch (a member who is not an owner) is right.
const { Router } = require('express')

const router = Router()

router.patch('/teams/:id', async (req, res) => {
  const team = await req.app.locals.db.teams.find(req.params.id)
  const isOwner = req.user && team.ownerId === req.user.id
  if (!isOwner) {
    return res.status(req.user ? 403 : 401).json({ error: 'Not permitted' }) // expect: require-www-authenticate, require-401-logging
  }
  await req.app.locals.db.teams.update(req.params.id, req.body)
  res.sendStatus(204)
})

module.exports = router
