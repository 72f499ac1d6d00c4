// A file without semicolons: wrapping a brace-less `if` body as
// `{ console.error(…) return … }` on one line is a syntax error.
// Expected fix: a block on its own lines, e.g.
//   if (!data.user) {
//     console.error('Returning 401 - reason:', 'Invalid JWT')
//     return new Response('Invalid JWT', { status: 401, headers: challenge })
//   }
const challenge = { 'WWW-Authenticate': 'Bearer realm="functions"' }

Deno.serve(async (req) => {
  const data = await getUser(req)
  if (!data.user) return new Response('Invalid JWT', { status: 401, headers: challenge })
  return new Response('ok')
})

export async function POST(request: Request) {
  const token = request.headers.get('authorization')
  if (!token)
    return new Response('Missing token', { status: 401, headers: challenge })
  return Response.json({ ok: true }, { status: 201 })
}

router.get('/me', async (ctx) => {
  if (!(await sessions.has(ctx.get('Authorization')))) ctx.throw(401, 'Session expired', { headers: challenge })
  ctx.body = 'ok'
})
