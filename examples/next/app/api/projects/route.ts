// Next.js route handlers. authlint: GET's 401 has no challenge and no log;
// DELETE answers 403 to a caller who is not signed in at all (split the check:
// 401 for no session, 403 for the wrong role).
import { NextResponse } from 'next/server'
import { getServerSession } from 'next-auth'
import { authOptions } from '@/lib/auth'
import { prisma } from '@/lib/prisma'

export async function GET() {
  const session = await getServerSession(authOptions)
  if (!session) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 })
  }
  return NextResponse.json(await prisma.project.findMany({ where: { ownerId: session.user.id } }))
}

export async function DELETE(req: Request) {
  const session = await getServerSession(authOptions)
  if (!session || session.user.role !== 'admin') {
    return NextResponse.json({ error: 'Forbidden' }, { status: 403 })
  }
  const { id } = await req.json()
  await prisma.project.delete({ where: { id } })
  return new NextResponse(null, { status: 204 })
}
