// Koa router. The project route throws 401 "Not allowed" for a signed-in user
// who does not own the project. The refresh route sets the challenge with
// ctx.set() and then throws: Koa's error handler clears every header set
// before the throw, so the 401 goes out without it.
const Router = require('@koa/router')
const logger = require('pino')()
const { Project } = require('@acme/models')

const router = new Router()

router.get('/projects/:id', async (ctx) => {
  const user = ctx.state.user
  const project = await Project.findById(ctx.params.id)
  ctx.assert(project, 404, 'Project not found')
  if (project.ownerId !== user.id) {
    ctx.throw(401, 'Not allowed to view this project') // expect: prefer-403-for-authorization
  }
  ctx.body = project
})

router.post('/session/refresh', async (ctx) => {
  const refreshToken = ctx.cookies.get('refresh_token')
  if (!refreshToken) {
    logger.info('refresh without cookie')
    ctx.set('WWW-Authenticate', 'Bearer realm="app"')
    ctx.throw(401, 'Refresh token missing') // expect: require-www-authenticate
  }
  ctx.body = { accessToken: await rotate(refreshToken) }
})

async function rotate(token) {
  return `${token.slice(0, 4)}-${Date.now()}`
}

module.exports = router
