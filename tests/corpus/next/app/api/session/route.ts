// Next.js route handler verifying a session JWT with jose. The missing cookie
// is answered correctly; the verification failure logs and challenges, but
// the Bearer challenge for an invalid token carries no error code.
import { NextResponse, type NextRequest } from 'next/server'
import { jwtVerify } from 'jose'

const secret = new TextEncoder().encode(process.env.SESSION_SECRET)

export async function GET(req: NextRequest) {
  const token = req.cookies.get('session')?.value
  if (!token) {
    console.info('GET /api/session: no cookie')
    return NextResponse.json(
      { authenticated: false },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="app"' } },
    )
  }

  try {
    const { payload } = await jwtVerify(token, secret)
    return NextResponse.json({ authenticated: true, sub: payload.sub })
  } catch (err) {
    console.warn('session token rejected', err)
    return NextResponse.json(
      { authenticated: false, error: 'Invalid session token' },
      {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="app"' }, // expect: bearer-error-code
      },
    )
  }
}
