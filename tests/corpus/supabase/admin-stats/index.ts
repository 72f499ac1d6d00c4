// Supabase edge function: admin dashboard numbers. The session check is right
// (log, challenge set on a Headers object), but the role check answers 401
// "Admin only" for a caller who is signed in: that is a 403.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const headers = new Headers(corsHeaders)
  headers.set('Content-Type', 'application/json')

  const supabase = createClient(
    Deno.env.get('SUPABASE_URL')!,
    Deno.env.get('SUPABASE_ANON_KEY')!,
    { global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } } },
  )

  const { data: { user } } = await supabase.auth.getUser()
  if (!user) {
    console.error('Returning 401 - reason: no session')
    headers.set('WWW-Authenticate', 'Bearer realm="admin"')
    return new Response(JSON.stringify({ error: 'Not signed in' }), { status: 401, headers })
  }

  const { data: profile } = await supabase
    .from('profiles')
    .select('role')
    .eq('id', user.id)
    .single()

  if (profile?.role !== 'admin') {
    return new Response(JSON.stringify({ error: 'Admin only' }), { status: 401, headers }) // expect: prefer-403-for-authorization
  }

  const { count } = await supabase.from('orders').select('*', { count: 'exact', head: true })
  return new Response(JSON.stringify({ orders: count }), { status: 200, headers })
})
