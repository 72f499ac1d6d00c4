// Cloudflare Worker guarding a KV store with an API key. A missing binding is
// the deployment's fault (500), not the caller's; a wrong key is bad
// credentials (401), not a permission problem.
export interface Env {
  API_KEY: string
  STORE: KVNamespace
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!env.API_KEY) {
      return new Response('Unauthorized', { status: 401 }) // expect: no-401-for-server-error
    }

    const provided = request.headers.get('X-API-Key')
    if (provided !== env.API_KEY) {
      return new Response('Forbidden', { status: 403 }) // expect: prefer-401-for-authentication
    }

    const key = new URL(request.url).pathname.slice(1)
    const value = await env.STORE.get(key)
    return value === null ? new Response('Not found', { status: 404 }) : new Response(value)
  },
}
