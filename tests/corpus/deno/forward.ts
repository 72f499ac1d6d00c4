// Deno edge proxy. /v1 hands the upstream response's status and headers to the
// client; /v2 maps any upstream failure to 502 and is fine.
Deno.serve(async (req) => {
  const url = new URL(req.url)
  const target = `https://origin.example.com${url.pathname.replace(/^\/v[12]/, '')}`
  const upstream = await fetch(target, {
    headers: { Authorization: `Bearer ${Deno.env.get('ORIGIN_TOKEN')}` },
  })

  if (url.pathname.startsWith('/v1')) {
    return new Response(upstream.body, {
      status: upstream.status, // expect: no-forwarded-401
      headers: upstream.headers,
    })
  }

  return new Response(upstream.body, {
    status: upstream.ok ? 200 : 502,
    headers: { 'Content-Type': upstream.headers.get('Content-Type') ?? 'text/plain' },
  })
})
