// The model to follow: every 401 logs its reason and challenges, an invalid
// token says so in the challenge, and "not yours" is a 403. authlint is silent.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders })

  const authHeader = req.headers.get('Authorization')
  if (!authHeader) {
    console.error('Returning 401 - reason:', 'missing Authorization header')
    return new Response(JSON.stringify({ error: 'Authentication required' }), {
      status: 401,
      headers: { ...corsHeaders, 'WWW-Authenticate': 'Bearer realm="functions"' },
    })
  }

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: authHeader } },
  })
  const { data: { user }, error } = await supabase.auth.getUser()
  if (error || !user) {
    console.error('Returning 401 - reason:', error?.message ?? 'no user')
    return new Response(JSON.stringify({ error: 'Invalid or expired token' }), {
      status: 401,
      headers: { ...corsHeaders, 'WWW-Authenticate': 'Bearer realm="functions", error="invalid_token"' },
    })
  }

  const { name } = await req.json()
  if (name !== user.user_metadata?.name) {
    console.warn('refusing to greet someone else', { caller: user.id })
    return new Response(JSON.stringify({ error: 'You can only greet yourself' }), {
      status: 403,
      headers: corsHeaders,
    })
  }

  return new Response(JSON.stringify({ message: `Hello ${name}!` }), {
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
