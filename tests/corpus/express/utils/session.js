// Session lookup used by the profile routes. It returns null on failure and
// logs nothing, so it gives the 401s after it no trace.
import { createClient } from 'redis'

const redis = createClient({ url: process.env.REDIS_URL })
await redis.connect()

export async function verifySession(sid) {
  if (!sid) return null
  const raw = await redis.get(`sess:${sid}`)
  return raw ? JSON.parse(raw) : null
}
