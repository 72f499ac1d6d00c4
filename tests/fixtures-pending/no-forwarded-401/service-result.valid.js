// `result` comes from this app's own service layer, which chose the status
// itself; nothing upstream is being forwarded. authlint flags `result.status`
// because `looks_upstream` treats any awaited variable whose name contains
// "res" (result, resource, resolved…) as an upstream response.
const authService = require('./auth-service')

app.post('/login', async (req, res) => {
  const result = await authService.login(req.body.email, req.body.password)
  return res.status(result.status).json(result.body)
})
