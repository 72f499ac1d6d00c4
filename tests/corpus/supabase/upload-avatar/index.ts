// Supabase edge function: avatar upload. The 401 init object is built up front
// and passed as a variable to `new Response(body, init)`; its challenge is
// complete, but nothing is logged before it is returned.
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const denied: ResponseInit = {
    status: 401, // expect: require-401-logging
    headers: {
      ...corsHeaders,
      'WWW-Authenticate': 'Bearer realm="storage", error="invalid_token"',
    },
  }

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })
  const { data: { user } } = await supabase.auth.getUser()
  if (!user) return new Response(JSON.stringify({ error: 'Invalid session' }), denied)

  const form = await req.formData()
  const file = form.get('avatar') as File
  const { error } = await supabase.storage.from('avatars').upload(`${user.id}.png`, file, { upsert: true })
  if (error) {
    console.error('upload failed', error)
    return new Response(JSON.stringify({ error: 'Upload failed' }), { status: 500, headers: corsHeaders })
  }
  return new Response(null, { status: 204, headers: corsHeaders })
})
