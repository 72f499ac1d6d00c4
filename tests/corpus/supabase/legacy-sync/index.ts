// Supabase edge function kept for an old mobile client. One 401 is knowingly
// suppressed (with a reason); a second suppression is stale: the line it covers
// is a correct 403 and reports nothing.
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const token = req.headers.get('x-legacy-token')
  if (!token) {
    console.warn('legacy-sync called without token')
    // authlint-ignore require-www-authenticate: the v1 app shows a login prompt on any challenge header
    return new Response('Unauthorized', { status: 401, headers: corsHeaders })
  }

  const device = await lookupDevice(token)
  if (device?.blocked) {
    // expect-next-line: unused-suppression
    // authlint-ignore require-401-logging: logged by the gateway
    return new Response('Device blocked', { status: 403, headers: corsHeaders })
  }

  return new Response(JSON.stringify({ ok: true }), { headers: corsHeaders })
})

async function lookupDevice(token: string): Promise<{ blocked: boolean } | null> {
  const res = await fetch(`${Deno.env.get('DEVICES_URL')}/devices/${encodeURIComponent(token)}`)
  return res.ok ? await res.json() : null
}
