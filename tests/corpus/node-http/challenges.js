// Node http endpoints with a range of WWW-Authenticate values. Every 401 logs
// first. The valid forms (bare scheme, token68, unquoted param value, several
// challenges, Digest params) must stay silent; an empty realm value and a
// trailing comma are not valid challenge lists.
const http = require('node:http')

const CHALLENGES = {
  '/negotiate': 'Negotiate',
  '/newauth': 'Newauth dGVzdDp0ZXN0==',
  '/unquoted': 'Bearer error=invalid_request',
  '/multi': 'Bearer realm="api", Basic realm="api", charset="UTF-8"',
}

http
  .createServer((req, res) => {
    if (req.headers.authorization) {
      res.end('ok')
      return
    }
    console.warn('401 for', req.url)

    if (req.url === '/digest') {
      res.writeHead(401, {
        'WWW-Authenticate': 'Digest realm="files@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      })
      return res.end()
    }

    if (req.url === '/empty-realm') {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm=' }) // expect: valid-www-authenticate
      return res.end()
    }

    if (req.url === '/trailing') {
      res.writeHead(401, {
        'WWW-Authenticate': 'Bearer realm="api", error="invalid_request",', // expect: valid-www-authenticate
      })
      return res.end()
    }

    const challenge = CHALLENGES[req.url] ?? 'Bearer realm="api", error="invalid_request", error_description="No credentials"'
    res.writeHead(401, { 'WWW-Authenticate': challenge })
    res.end()
  })
  .listen(8081)
