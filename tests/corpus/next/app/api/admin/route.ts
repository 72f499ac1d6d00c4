// Next.js route handler using Clerk. The signed-out case is right; the role
// check then answers a bare "Unauthorized" 401 to a known user: a 403.
import { NextResponse, type NextRequest } from 'next/server'
import { auth } from '@clerk/nextjs/server'

export async function POST(req: NextRequest) {
  const { userId, sessionClaims } = await auth()
  if (!userId) {
    console.warn('admin POST without a session')
    return new NextResponse('Unauthorized', {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="admin"' },
    })
  }

  if (sessionClaims?.metadata?.role !== 'admin') {
    return new NextResponse('Unauthorized', { status: 401 }) // expect: prefer-403-for-authorization
  }

  const body = await req.json()
  return NextResponse.json({ received: body })
}
