// Fixed-status helpers done right: both log the reason, the 401 challenges.
import { corsHeaders } from './cors.ts'

export function unauthorized(reason: string) {
  console.warn('Returning 401 - reason:', reason)
  return new Response(JSON.stringify({ error: 'Unauthorized' }), {
    status: 401,
    headers: {
      ...corsHeaders,
      'Content-Type': 'application/json',
      'WWW-Authenticate': 'Bearer realm="supabase-functions"',
    },
  })
}

export function forbidden(reason: string) {
  console.warn('Returning 403 - reason:', reason)
  return new Response(JSON.stringify({ error: 'Forbidden' }), {
    status: 403,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
}
