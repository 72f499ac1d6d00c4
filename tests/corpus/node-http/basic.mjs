// Node http metrics endpoint behind Basic auth. /metrics is correct (log, then
// a Basic challenge with charset). /debug quotes the whole scheme, which is
// not a valid challenge.
import { createServer } from 'node:http'
import { timingSafeEqual } from 'node:crypto'

const expected = Buffer.from(`Basic ${Buffer.from(process.env.METRICS_CREDENTIALS ?? '').toString('base64')}`)

function authorized(req) {
  const got = Buffer.from(req.headers.authorization ?? '')
  return got.length === expected.length && timingSafeEqual(got, expected)
}

createServer((req, res) => {
  if (req.url === '/metrics') {
    if (!authorized(req)) {
      console.warn(`401 ${req.method} ${req.url}`)
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="metrics", charset="UTF-8"' })
      return res.end()
    }
    res.end('requests_total 42\n')
    return
  }

  if (req.url === '/debug') {
    if (!authorized(req)) {
      console.warn(`401 ${req.method} ${req.url}`)
      res.setHeader('WWW-Authenticate', '"Basic"') // expect: valid-www-authenticate
      res.statusCode = 401
      return res.end()
    }
    res.end(JSON.stringify(process.memoryUsage()))
    return
  }

  res.statusCode = 404
  res.end()
}).listen(9100)
