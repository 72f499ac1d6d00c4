// Plain Node http server with a static bearer token: writeHead(401) with only
// a Content-Type header and no log.
const http = require('node:http')

const TOKEN = process.env.API_TOKEN

http
  .createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200)
      return res.end('ok')
    }
    const auth = req.headers.authorization
    if (auth !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' }) // expect: require-www-authenticate, require-401-logging
      return res.end(JSON.stringify({ error: 'unauthorized' }))
    }
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ hello: 'world' }))
  })
  .listen(8080)
