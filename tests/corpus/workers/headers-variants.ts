// Cloudflare Worker exercising header spellings: a computed key from a
// constant and a Headers object given .append() count as challenges; the Hono
// docs' `Authenticate` header name does not.
const WWW_AUTHENTICATE = 'WWW-Authenticate'
const CHALLENGE = 'Bearer realm="edge"'

export default {
  async fetch(request: Request, env: { SESSIONS: KVNamespace }): Promise<Response> {
    const url = new URL(request.url)
    const sid = request.headers.get('Cookie')?.match(/sid=([^;]+)/)?.[1]

    if (url.pathname === '/api/me') {
      if (!sid) {
        console.log('no session cookie on /api/me')
        return new Response('Unauthorized', { status: 401, headers: { [WWW_AUTHENTICATE]: CHALLENGE } })
      }
      return new Response(await env.SESSIONS.get(sid))
    }

    if (url.pathname === '/api/feed') {
      if (!sid) {
        console.log('no session cookie on /api/feed')
        const headers = new Headers({ 'Content-Type': 'application/json' })
        headers.append('WWW-Authenticate', CHALLENGE)
        return new Response(JSON.stringify({ error: 'Sign in' }), { status: 401, headers })
      }
      return Response.json([])
    }

    if (!sid) {
      console.log('no session cookie on', url.pathname)
      return new Response('Unauthorized', {
        status: 401, // expect: require-www-authenticate
        headers: { Authenticate: 'error="invalid_token"' },
      })
    }
    return fetch(request)
  },
}
