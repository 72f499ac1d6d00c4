// Next.js App Router handlers using next-auth. GET answers the missing session
// with a bare NextResponse 401 (no challenge, no log). DELETE folds "not signed
// in" and "not an admin" into one 403: the anonymous half deserves a 401.
import { NextResponse } from 'next/server'
import { getServerSession } from 'next-auth'
import { authOptions } from '@/lib/auth'
import { prisma } from '@/lib/prisma'

export async function GET() {
  const session = await getServerSession(authOptions)
  if (!session) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 }) // expect: require-www-authenticate, require-401-logging
  }
  const projects = await prisma.project.findMany({ where: { ownerId: session.user.id } })
  return NextResponse.json(projects)
}

export async function DELETE(req: Request) {
  const session = await getServerSession(authOptions)
  if (!session || session.user.role !== 'admin') {
    return NextResponse.json({ error: 'Forbidden' }, { status: 403 }) // expect: prefer-401-for-authentication
  }
  const { id } = await req.json()
  await prisma.project.delete({ where: { id } })
  return new NextResponse(null, { status: 204 })
}
