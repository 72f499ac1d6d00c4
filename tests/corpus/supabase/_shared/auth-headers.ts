// Shared challenge headers. Spreading these (or calling the builder) into a 401
// is a real WWW-Authenticate header.
import { corsHeaders } from './cors.ts'

export const challengeHeaders = {
  'WWW-Authenticate': 'Bearer realm="supabase-functions"',
}

export const invalidTokenHeaders = {
  'WWW-Authenticate': 'Bearer realm="supabase-functions", error="invalid_token"',
}

export function unauthorizedHeaders(realm = 'supabase-functions') {
  return {
    ...corsHeaders,
    'Content-Type': 'application/json',
    'WWW-Authenticate': `Bearer realm="${realm}"`,
  }
}
