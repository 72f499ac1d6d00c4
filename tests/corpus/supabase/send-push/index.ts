// Supabase edge function: sends a push notification after verifying a custom
// JWT with djwt. The missing secret correctly answers 500; the verification
// failure echoes the library's error message to the caller (CWE-209) and has
// no challenge, though it does log.
import { verify } from 'https://deno.land/x/djwt@v3.0.2/mod.ts'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const secret = Deno.env.get('PUSH_JWT_SECRET')
  if (!secret) {
    console.error('PUSH_JWT_SECRET missing')
    return new Response('Server misconfigured', { status: 500, headers: corsHeaders })
  }

  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  )

  const token = req.headers.get('Authorization')?.split(' ')[1] ?? ''
  let payload
  try {
    payload = await verify(token, key)
  } catch (e) {
    console.error('JWT verification failed', e)
    return new Response(JSON.stringify({ error: e.message }), { // expect: no-error-detail-in-401
      status: 401, // expect: require-www-authenticate
      headers: corsHeaders,
    })
  }

  const { title, body } = await req.json()
  console.log('push for', payload.sub, title)
  return new Response(JSON.stringify({ sent: true, body }), { headers: corsHeaders })
})
