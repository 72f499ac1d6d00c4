// Supabase edge function: invites a team member. Errors go through the shared
// jsonError(message, status) helper from ../_shared, which adds no challenge;
// the owner check correctly answers 403 (a non-member is not an anonymous caller).
import { createClient } from 'npm:@supabase/supabase-js@2'
import { jsonError } from '../_shared/errors.ts'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const token = req.headers.get('Authorization')?.replace('Bearer ', '')
  if (!token) return jsonError('Missing token', 401) // expect: require-www-authenticate, require-401-logging

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!)
  const { data: { user }, error } = await supabase.auth.getUser(token)
  if (error || !user) {
    console.error('getUser failed', error)
    return jsonError('Invalid token', 401) // expect: require-www-authenticate
  }

  const { teamId, email } = await req.json()
  const { data: member } = await supabase
    .from('team_members')
    .select('role')
    .eq('team_id', teamId)
    .eq('user_id', user.id)
    .maybeSingle()

  if (!member || member.role !== 'owner') {
    return jsonError('Only team owners can invite members', 403)
  }
  if (!email) return jsonError('email is required', 400)

  const { error: inviteError } = await supabase.auth.admin.inviteUserByEmail(email)
  if (inviteError) return jsonError('Could not send invite', 500)

  return new Response(JSON.stringify({ invited: email }), {
    status: 201,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
