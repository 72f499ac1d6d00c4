// A proxy to OpenAI. authlint reports the 401 for a missing secret (a server
// fault: 500), the 403 for a missing token (that is a 401), and the upstream
// status passed straight through (OpenAI's 401 becomes yours).
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const apiKey = Deno.env.get('OPENAI_API_KEY')
  if (!apiKey) {
    console.error('OPENAI_API_KEY is not set')
    return new Response('Unauthorized', { status: 401, headers: corsHeaders })
  }

  if (!req.headers.get('Authorization')) {
    return new Response(JSON.stringify({ error: 'Missing token' }), { status: 403, headers: corsHeaders })
  }

  const upstream = await fetch('https://api.openai.com/v1/chat/completions', {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: await req.text(),
  })
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  })
})
