// React component (Next.js pages) rendering error pages from fetched statuses.
// `statusCode={401}` is a prop for the error page, not an HTTP response.
import Error from 'next/error'
import useSWR from 'swr'

type FetchError = Error & { status?: number }

const fetcher = async (url: string) => {
  const res = await fetch(url)
  if (!res.ok) {
    const err = new globalThis.Error('request failed') as FetchError
    err.status = res.status
    throw err
  }
  return res.json()
}

export function SessionGate({ children }: { children: React.ReactNode }) {
  const { data, error } = useSWR('/api/me', fetcher)
  if (error?.status === 401) return <Error statusCode={401} title="Please sign in" />
  if (error?.status === 403) return <p>Unauthorized: ask an admin for access.</p>
  if (!data) return <p>Loading…</p>
  return <>{children}</>
}
