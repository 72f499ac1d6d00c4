import { NextResponse, type NextRequest } from 'next/server'
import { getServerSession } from 'next-auth'

export async function DELETE(request: NextRequest) {
  const session = await getServerSession()
  if (!session) {
    console.warn('Returning 401 - reason: no session')
    const res = new NextResponse(null, { status: 401 })
    res.headers.set('WWW-Authenticate', 'Bearer realm="app"')
    return res
  }
  return new NextResponse(null, { status: 204 })
}

export async function PUT(request: NextRequest) {
  const session = await getServerSession()
  if (!session) {
    console.warn('Returning 401 - reason: no session')
    const response = NextResponse.json({ error: 'Not signed in' }, { status: 401 })
    response.headers.append('WWW-Authenticate', 'Bearer realm="app"')
    return response
  }
  return NextResponse.json({ ok: true })
}
