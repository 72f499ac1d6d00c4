// Supabase edge function: deletes the caller's account. Written carefully, so it
// must stay silent: each 401 logs and challenges through shared header objects,
// the invalid-token challenge carries error="invalid_token", and the ownership
// check answers 403.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'
import { challengeHeaders, invalidTokenHeaders } from '../_shared/auth-headers.ts'

Deno.serve(async (req: Request) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders })

  const authHeader = req.headers.get('Authorization')
  if (!authHeader?.startsWith('Bearer ')) {
    console.warn('Returning 401 - reason: missing bearer token')
    return new Response(JSON.stringify({ error: 'Authentication required' }), {
      status: 401,
      headers: { ...corsHeaders, ...challengeHeaders },
    })
  }

  const supabase = createClient(
    Deno.env.get('SUPABASE_URL')!,
    Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!,
  )
  const { data: { user }, error } = await supabase.auth.getUser(authHeader.slice(7))
  if (error || !user) {
    console.warn('Returning 401 - reason:', error?.message ?? 'no user for token')
    return new Response(JSON.stringify({ error: 'Invalid or expired token' }), {
      status: 401,
      headers: { ...corsHeaders, ...invalidTokenHeaders },
    })
  }

  const { accountId } = await req.json()
  if (accountId !== user.id) {
    console.warn('Refusing to delete another account', { accountId, caller: user.id })
    return new Response(JSON.stringify({ error: 'You can only delete your own account' }), {
      status: 403,
      headers: corsHeaders,
    })
  }

  await supabase.auth.admin.deleteUser(user.id)
  return new Response(null, { status: 204, headers: corsHeaders })
})
