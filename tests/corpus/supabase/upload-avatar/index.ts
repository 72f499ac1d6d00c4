// Supabase edge function: avatar upload. The 401 init object is built up front
// and passed as a variable to `new Response(body, init)`; its challenge is
// complete, but nothing is logged before it is returned. The logging finding
// belongs on the return that uses the init (where the log line goes, and the
// only sensible place when several returns share one init).
import { createClient } from 'npm:@supabase/supabase-js@2'
import { corsHeaders } from '../_shared/cors.ts'

Deno.serve(async (req) => {
  const denied: ResponseInit = {
    status: 401,
    headers: {
      ...corsHeaders,
      'WWW-Authenticate': 'Bearer realm="storage", error="invalid_token"',
    },
  }

  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
  })
  const { data: { user } } = await supabase.auth.getUser()
  if (!user) return new Response(JSON.stringify({ error: 'Invalid session' }), denied) // expect: require-401-logging

  const form = await req.formData()
  const file = form.get('avatar') as File
  const { error } = await supabase.storage.from('avatars').upload(`${user.id}.png`, file, { upsert: true })
  if (error) {
    console.error('upload failed', error)
    return new Response(JSON.stringify({ error: 'Upload failed' }), { status: 500, headers: corsHeaders })
  }
  return new Response(null, { status: 204, headers: corsHeaders })
})
