// Supabase edge function: updates team settings. After the user is known, the
// ownership check still answers a bare "Unauthorized" 401: the guard compares
// the team owner with the caller, so it is an authorization failure (403).
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'
import { unauthorizedHeaders } from '../_shared/auth-headers.ts'

Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })

  const { data: { user } } = await supabase.auth.getUser()
  if (!user) {
    console.info('team-settings: anonymous caller')
    return new Response(JSON.stringify({ error: 'Unauthorized' }), {
      status: 401,
      headers: unauthorizedHeaders('teams'),
    })
  }

  const { teamId, settings } = await req.json()
  const { data: team } = await supabase.from('teams').select('owner_id').eq('id', teamId).single()

  if (team.owner_id !== user.id) {
    return new Response(JSON.stringify({ error: 'Unauthorized' }), { status: 401, headers: corsHeaders }) // expect: prefer-403-for-authorization
  }

  await supabase.from('teams').update({ settings }).eq('id', teamId)
  return new Response(JSON.stringify({ ok: true }), { headers: corsHeaders })
})
