// `env.KEYS.get(key)` looks up the caller's API key in a KV namespace: a miss
// means the caller's key is unknown (401), not that the server is
// misconfigured. authlint reads any `env.` initialiser as configuration.
const challenge = { 'WWW-Authenticate': 'ApiKey realm="api"' }

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const key = request.headers.get('x-api-key') ?? ''
    const owner = await env.KEYS.get(key)
    if (!owner) {
      console.log('unknown key')
      return new Response('Invalid API key', { status: 401, headers: challenge })
    }
    // The same with a D1 query bound to the caller's token.
    const user = await env.DB.prepare('SELECT * FROM users WHERE token = ?').bind(key).first()
    if (!user) {
      console.log('no user for token')
      return new Response('Invalid token', { status: 401, headers: challenge })
    }
    return new Response(`hello ${owner}`)
  },
}
