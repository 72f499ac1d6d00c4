// `session ? 401 : 403` is backwards: the 401 branch runs when the caller is
// known. Expected: prefer-403-for-authorization on the 401 branch and
// prefer-401-for-authentication on the 403 branch; require-www-authenticate
// stays silent on the 401 (one problem, one report).
// authlint: prefer-401 fires on the 403, but the 401 branch is reported by
// require-www-authenticate instead of prefer-403.
import { NextResponse } from 'next/server'
import { getServerSession } from 'next-auth'

export async function PATCH(request: Request) {
  const session = await getServerSession()
  console.info('patch by', session?.user?.email)
  return new NextResponse(null, { status: session ? 401 : 403 })
}
