// Supabase edge function: downloads an invoice PDF. The invalid-token 401 logs
// and challenges, but its Bearer challenge lacks error="invalid_token". Errors
// after that go through loggedError(), which logs for its callers.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'
import { loggedError } from '../_shared/errors.ts'

Deno.serve(async (req) => {
  const jwt = req.headers.get('Authorization')?.replace(/^Bearer\s+/i, '')
  if (!jwt) return loggedError('Missing bearer token', 401) // expect: require-www-authenticate

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!)
  const { data: { user }, error } = await supabase.auth.getUser(jwt)
  if (error || !user) {
    console.warn('get-invoice: token rejected', error?.code)
    return new Response(JSON.stringify({ error: 'Invalid or expired token' }), {
      status: 401,
      headers: {
        ...corsHeaders,
        'WWW-Authenticate': 'Bearer realm="invoices"', // expect: bearer-error-code
      },
    })
  }

  const id = new URL(req.url).searchParams.get('id')
  const { data: invoice } = await supabase.from('invoices').select('*').eq('id', id).single()
  if (!invoice) return loggedError('Invoice not found', 404)
  if (invoice.customer_id !== user.id) return loggedError('Not your invoice', 403)

  return new Response(JSON.stringify(invoice), {
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
