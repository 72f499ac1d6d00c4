// Supabase edge function: lists the caller's orders with Response.json. The
// only log call sits in the method-check branch, so the 401 path leaves no
// trace even though it challenges correctly.
import { createClient } from 'npm:@supabase/supabase-js@2'

Deno.serve(async (req: Request) => {
  if (req.method !== 'GET') {
    console.warn('list-orders: unexpected method', req.method)
    return Response.json({ error: 'Method not allowed' }, { status: 405 })
  }

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })
  const { data: { user } } = await supabase.auth.getUser()
  if (!user) {
    return Response.json(
      { error: 'Unauthorized' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="orders"' } }, // expect: require-401-logging
    )
  }

  const { data: orders, error } = await supabase.from('orders').select('*').eq('user_id', user.id)
  if (error) {
    console.error(error)
    return Response.json({ error: 'Could not load orders' }, { status: 500 })
  }
  return Response.json(orders)
})
