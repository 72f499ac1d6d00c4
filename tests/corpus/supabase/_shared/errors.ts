// Response helper used across functions: the status comes from the caller, so
// each `jsonError('...', 401)` call is a response site. It adds no challenge.
import { corsHeaders } from './cors.ts'

export function jsonError(message: string, status: number) {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
}

// A variant that logs every error it builds: call sites count as logged.
export function loggedError(message: string, status: number) {
  console.error(`Returning ${status} - reason:`, message)
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
}
