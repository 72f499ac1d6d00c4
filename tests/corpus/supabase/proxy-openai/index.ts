// Supabase edge function: proxies chat completions to OpenAI. Authentication
// goes through the shared unauthorized() helper (logs, challenges). The
// upstream status is passed straight through, so OpenAI's 401 for a revoked API
// key reaches the browser as if the user's session were bad.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'
import { unauthorized } from '../_shared/http.ts'

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders })

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })
  const { data: { user } } = await supabase.auth.getUser()
  if (!user) return unauthorized('no session for chat proxy')

  const { messages } = await req.json()
  const upstream = await fetch('https://api.openai.com/v1/chat/completions', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${Deno.env.get('OPENAI_API_KEY')}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
  })

  const data = await upstream.json()
  return new Response(JSON.stringify(data), {
    status: upstream.status, // expect: no-forwarded-401
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
