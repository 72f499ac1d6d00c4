// Supabase edge function: mints a short-lived realtime channel token. With no
// session the caller is not authenticated, yet it answers 403.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })

  const { data: { user } } = await supabase.auth.getUser()
  if (!user) {
    return new Response(JSON.stringify({ error: 'Not authenticated' }), {
      status: 403, // expect: prefer-401-for-authentication
      headers: corsHeaders,
    })
  }

  const channel = `private:${user.id}`
  return new Response(JSON.stringify({ channel, expiresIn: 300 }), {
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
