// Vercel cron endpoint in the style of the Vercel docs. A missing CRON_SECRET
// is a deployment error answered with 401; the secret comparison itself is a
// plain Response 401 with no challenge and no log.
export async function GET(request: Request) {
  if (!process.env.CRON_SECRET) {
    console.error('CRON_SECRET is not set')
    return new Response('Unauthorized', { status: 401 }) // expect: no-401-for-server-error
  }

  const authHeader = request.headers.get('authorization')
  if (authHeader !== `Bearer ${process.env.CRON_SECRET}`) {
    return new Response('Unauthorized', { status: 401 }) // expect: require-www-authenticate, require-401-logging
  }

  await fetch(`${process.env.APP_URL}/api/internal/rollup`, { method: 'POST' })
  return Response.json({ success: true })
}
