// Supabase edge function: machine-to-machine endpoint guarded by an API key.
// Someone silenced "missing WWW-Authenticate" with a value that is not a
// challenge at all, and a wrong key (bad credentials) answers 403.
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const apiKey = req.headers.get('x-api-key')
  if (!apiKey) {
    console.warn('api-key-auth: no key')
    return new Response('API key required', {
      status: 401,
      headers: { ...corsHeaders, 'WWW-Authenticate': 'true' }, // expect: valid-www-authenticate
    })
  }

  if (apiKey !== Deno.env.get('INTERNAL_API_KEY')) {
    console.warn('api-key-auth: wrong key')
    return new Response('Invalid API key', {
      status: 403, // expect: prefer-401-for-authentication
      headers: corsHeaders,
    })
  }

  const job = await req.json()
  return Response.json({ queued: job.id }, { status: 202, headers: corsHeaders })
})
