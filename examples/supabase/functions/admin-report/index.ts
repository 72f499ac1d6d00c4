// An admin-only report. authlint reports the header value 'true' (not a valid
// challenge) and the 401 "Admin only" for a signed-in user, which is a 403.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })

  const { data: { user } } = await supabase.auth.getUser()
  if (!user) {
    console.error('Returning 401 - reason: no session')
    return new Response('Sign in first', {
      status: 401,
      headers: { ...corsHeaders, 'WWW-Authenticate': 'true' },
    })
  }

  if (user.app_metadata?.role !== 'admin') {
    return new Response('Admin only', { status: 401, headers: corsHeaders })
  }

  const { data } = await supabase.rpc('monthly_report')
  return Response.json(data, { headers: corsHeaders })
})
