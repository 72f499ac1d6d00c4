// The fix spreads a `Headers` instance into an object literal:
//   headers: { ...h, 'WWW-Authenticate': 'Bearer realm="api"' }
// Spreading a Headers object copies nothing (its entries are not own
// properties), so the fix silently drops Content-Type and the CORS headers.
// Expected fix: `h.set('WWW-Authenticate', 'Bearer realm="api"')` on the line
// before the return (or `new Headers(h)` plus a set), never a spread.
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve((req) => {
  if (!req.headers.get('Authorization')) {
    console.error('Returning 401 - reason:', 'missing Authorization header')
    const h = new Headers(corsHeaders)
    h.set('Content-Type', 'application/json')
    return Response.json({ error: 'Missing token' }, { status: 401, headers: h })
  }
  return new Response('ok', { headers: corsHeaders })
})
