// The bad value lives in a constant. authlint reports at the use and its fix
// replaces the identifier with a string literal, leaving the constant (and
// every other use of it) broken. Expected: the diagnostic on the constant's
// literal (or the use, with the definition as related information), and a
// fix that rewrites the literal at the definition:
//   const CHALLENGE = 'Bearer realm="api"'
const CHALLENGE = 'Bearer realm="edge",'

export default {
  async fetch(request: Request): Promise<Response> {
    if (!request.headers.has('Authorization')) {
      console.log('no credentials')
      return new Response('Unauthorized', { status: 401, headers: { 'WWW-Authenticate': CHALLENGE } })
    }
    if (request.headers.get('Authorization') === 'Bearer expired') {
      console.log('expired token')
      return new Response('Token expired', { status: 401, headers: { 'WWW-Authenticate': CHALLENGE } })
    }
    return new Response('ok')
  },
}
