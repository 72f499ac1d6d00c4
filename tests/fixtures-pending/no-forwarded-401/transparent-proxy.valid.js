// A judgement call for the lead: a transparent reverse proxy forwards the
// *caller's* own credentials (`headers: req.headers`) and the origin's
// WWW-Authenticate (`proxyRes.headers`), so the origin's 401 really is the
// caller's 401 and forwarding it is correct. authlint flags it like any
// upstream status. A possible rule: don't report when the upstream request
// was sent with the incoming request's headers and the upstream headers are
// passed through too.
const http = require('node:http')

http.createServer((req, res) => {
  const options = { host: 'origin.internal', port: 8080, path: req.url, method: req.method, headers: req.headers }
  const proxyReq = http.request(options, (proxyRes) => {
    res.writeHead(proxyRes.statusCode, proxyRes.headers)
    proxyRes.pipe(res)
  })
  req.pipe(proxyReq)
}).listen(80)
