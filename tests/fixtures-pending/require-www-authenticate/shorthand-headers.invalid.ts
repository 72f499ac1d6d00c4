// `{ status: 401, headers }` (shorthand property) is treated as opaque, so a
// headers variable declared right above, with no WWW-Authenticate, is never
// checked. Expected: one require-www-authenticate finding per response, like
// `headers: headers` would get. Cause: eval_headers has no arm for
// `shorthand_property_identifier` (only `identifier`), so it returns opaque.
Deno.serve((req) => {
  if (!req.headers.get('Authorization')) {
    console.error('Returning 401 - reason:', 'missing Authorization header')
    const headers = { 'Content-Type': 'application/json' }
    return new Response(JSON.stringify({ error: 'Missing token' }), { status: 401, headers })
  }
  if (req.headers.get('Authorization') === 'Bearer revoked') {
    console.error('Returning 401 - reason:', 'revoked token')
    const headers = new Headers({ 'Content-Type': 'application/json' })
    return new Response(JSON.stringify({ error: 'Token revoked' }), { status: 401, headers })
  }
  return new Response('ok')
})
