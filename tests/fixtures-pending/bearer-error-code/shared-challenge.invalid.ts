// One challenge constant serves both a "no token" 401 and an "invalid token"
// 401. bearer-error-code reports the constant's literal for the invalid-token
// site and its fix edits the constant, so the missing-token response also
// starts sending error="invalid_token", which RFC 6750 §3.1 says it SHOULD
// NOT. Expected: a finding at the invalid-token site whose fix adds a
// challenge just for it (e.g. `{ ...challenge, 'WWW-Authenticate':
// 'Bearer realm="functions", error="invalid_token"' }`), or no fix when the
// value is shared. A second bad-token site using the same constant also
// yields a second, identical diagnostic at the same range (valid-www-
// authenticate dedupes by value range; bearer-error-code does not).
const challenge = { 'WWW-Authenticate': 'Bearer realm="functions"' }

Deno.serve(async (req) => {
  const token = req.headers.get('Authorization')?.replace('Bearer ', '')
  if (!token) {
    console.error('Returning 401 - reason: missing token')
    return new Response('Missing token', { status: 401, headers: challenge })
  }
  const { data } = await getUser(token)
  if (!data.user) {
    console.error('Returning 401 - reason: invalid JWT')
    return new Response('Invalid JWT', { status: 401, headers: challenge })
  }
  if (data.user.banned_until) {
    console.error('Returning 401 - reason: session revoked')
    return new Response('Session expired', { status: 401, headers: challenge })
  }
  return Response.json(data.user)
})
