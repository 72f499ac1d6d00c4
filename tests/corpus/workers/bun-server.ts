// Bun.serve API using module constants for statuses. The admin gate swaps the
// two codes in one conditional: a signed-in non-admin gets 401 and an anonymous
// caller gets 403.
const UNAUTHORIZED = 401
const FORBIDDEN = 403

type Session = { userId: string; isAdmin: boolean }
const sessions = new Map<string, Session>()

Bun.serve({
  port: 3000,
  async fetch(req) {
    const url = new URL(req.url)
    const sid = req.headers.get('cookie')?.match(/sid=([^;]+)/)?.[1]
    const session = sid ? sessions.get(sid) : undefined

    if (url.pathname.startsWith('/admin')) {
      if (!session || !session.isAdmin) {
        return new Response('Denied', { status: session ? 401 : 403 }) // expect: prefer-403-for-authorization, prefer-401-for-authentication
      }
      return new Response('admin area')
    }

    if (!session) {
      return new Response('Please sign in', { status: UNAUTHORIZED }) // expect: require-www-authenticate, require-401-logging
    }
    if (url.pathname === '/billing' && session.userId !== url.searchParams.get('owner')) {
      return new Response('Not your account', { status: FORBIDDEN })
    }
    return Response.json({ userId: session.userId })
  },
})
