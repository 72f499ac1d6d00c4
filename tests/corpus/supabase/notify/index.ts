// Supabase edge function: notification fan-out. Two logging traps: a module-
// level console.log runs once at boot, not on the request's path, and the
// handler calls `logger.error` although no `logger` exists in this file. The
// second challenge uses a lower-case header name, which counts.
import { corsHeaders } from '../_shared/cors.ts'

console.log('notify function booted')

Deno.serve(async (req) => {
  const token = req.headers.get('Authorization')
  if (!token) {
    logger.error('notify: missing token')
    return new Response(JSON.stringify({ error: 'Missing token' }), {
      status: 401, // expect: require-401-logging
      headers: { ...corsHeaders, 'WWW-Authenticate': 'Bearer realm="notify"' },
    })
  }

  if (token !== `Token ${Deno.env.get('NOTIFY_TOKEN')}`) {
    return new Response(JSON.stringify({ error: 'Unauthorized' }), {
      status: 401, // expect: require-401-logging
      headers: { ...corsHeaders, 'www-authenticate': 'Token realm="notify"' },
    })
  }

  const { topic } = await req.json()
  return new Response(JSON.stringify({ queued: topic }), { headers: corsHeaders })
})
