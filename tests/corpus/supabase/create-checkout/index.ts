// Supabase edge function: starts a checkout for pro features. One guard picks
// 401 or 403 with a conditional on std/http STATUS_CODE members: the 401 branch
// (no user) is right but has no challenge; the 403 branch (no plan) is right.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { STATUS_CODE } from 'jsr:@std/http/status'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization')! } },
  })
  const { data: { user } } = await supabase.auth.getUser()

  const allowed = user?.app_metadata?.plan === 'pro'
  if (!allowed) {
    console.warn('checkout refused', { user: user?.id })
    return new Response(JSON.stringify({ error: user ? 'Upgrade required' : 'Sign in first' }), {
      status: user ? STATUS_CODE.Forbidden : STATUS_CODE.Unauthorized, // expect: require-www-authenticate
      headers: { ...corsHeaders, 'Content-Type': 'application/json' },
    })
  }

  const { priceId } = await req.json()
  return new Response(JSON.stringify({ url: `https://checkout.example.com/${priceId}` }), {
    status: STATUS_CODE.OK,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
