// Browser API client: reads statuses to refresh the session and retry. It
// builds no responses, so nothing here may be reported.
const RETRYABLE = [401, 408, 429, 503]

let accessToken: string | null = null

function withAuth(init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers)
  if (accessToken) headers.set('Authorization', `Bearer ${accessToken}`)
  return { ...init, headers }
}

async function refreshToken(): Promise<void> {
  const res = await fetch('/auth/refresh', { method: 'POST', credentials: 'include' })
  if (res.status === 401) {
    accessToken = null
    window.location.assign('/login')
    return
  }
  accessToken = (await res.json()).accessToken
}

export async function apiFetch(input: RequestInfo, init?: RequestInit): Promise<Response> {
  let res = await fetch(input, withAuth(init))
  if (res.status === 401 && res.headers.get('WWW-Authenticate')?.includes('invalid_token')) {
    await refreshToken()
    res = await fetch(input, withAuth(init))
  }
  if (res.status === 403) throw new Error('Forbidden')
  if (RETRYABLE.includes(res.status) && res.status !== 401) {
    await new Promise((r) => setTimeout(r, 401))
    res = await fetch(input, withAuth(init))
  }
  return res
}
