// Next.js middleware protecting /admin with HTTP Basic auth. Correct: logs,
// then a Basic challenge. Redirects and rewrites are not status responses.
import { NextResponse, type NextRequest } from 'next/server'

export function middleware(req: NextRequest) {
  if (req.nextUrl.pathname.startsWith('/login')) {
    return NextResponse.rewrite(new URL('/auth/login', req.url))
  }

  const basicAuth = req.headers.get('authorization')
  if (basicAuth) {
    const [user, pwd] = atob(basicAuth.split(' ')[1] ?? '').split(':')
    if (user === process.env.ADMIN_USER && pwd === process.env.ADMIN_PASSWORD) {
      return NextResponse.next()
    }
  }

  console.warn('basic auth failed for', req.nextUrl.pathname)
  return new NextResponse('Authentication required', {
    status: 401,
    headers: { 'WWW-Authenticate': 'Basic realm="Secure Area"' },
  })
}

export const config = { matcher: '/admin/:path*' }
