// Next.js route handler listing the user's GitHub repos with a stored OAuth
// token. On failure it logs but relays GitHub's status: an expired GitHub token
// becomes a 401 from this app, and the client signs the user out.
import { NextResponse, type NextRequest } from 'next/server'
import { cookies } from 'next/headers'

export async function GET(_req: NextRequest) {
  const token = (await cookies()).get('gh_token')?.value
  if (!token) {
    console.info('github route: no token cookie')
    return NextResponse.json(
      { error: 'Connect GitHub first' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="github-link"' } },
    )
  }

  const res = await fetch('https://api.github.com/user/repos', {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json' },
  })
  if (!res.ok) {
    console.error('GitHub API error', res.status)
    return NextResponse.json({ error: 'GitHub request failed' }, { status: res.status }) // expect: no-forwarded-401
  }
  return NextResponse.json(await res.json())
}
