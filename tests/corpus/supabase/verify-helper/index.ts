// Supabase edge function with a same-file verifyJWT() that logs every failure
// before returning null: the 401 that follows counts as logged, but it still
// has no challenge.
import * as jose from 'npm:jose@5'
import { corsHeaders } from '../_shared/cors.ts'

const JWKS = jose.createRemoteJWKSet(new URL(`${Deno.env.get('SUPABASE_URL')}/auth/v1/.well-known/jwks.json`))

async function verifyJWT(token: string | null): Promise<jose.JWTPayload | null> {
  if (!token) {
    console.warn('verifyJWT: no token')
    return null
  }
  try {
    const { payload } = await jose.jwtVerify(token, JWKS)
    return payload
  } catch (err) {
    console.warn('verifyJWT: rejected', err)
    return null
  }
}

Deno.serve(async (req) => {
  const payload = await verifyJWT(req.headers.get('Authorization')?.replace('Bearer ', '') ?? null)
  if (!payload) {
    return new Response('Unauthorized', { status: 401, headers: corsHeaders }) // expect: require-www-authenticate
  }
  return new Response(JSON.stringify({ sub: payload.sub }), { headers: corsHeaders })
})
