// Plain Deno server using std/http STATUS_CODE members instead of numbers.
// Correct, so silent: the 401 logs and challenges, and the scope check answers
// 403 with an insufficient_scope challenge.
import { STATUS_CODE, STATUS_TEXT } from 'jsr:@std/http/status'
import * as log from 'jsr:@std/log'

const keys = new Map<string, { scopes: string[] }>([['k_live_1', { scopes: ['read'] }]])

Deno.serve((req) => {
  const key = req.headers.get('Authorization')?.replace(/^ApiKey\s+/, '')
  if (!key || !keys.has(key)) {
    log.warn(`rejecting ${req.method} ${new URL(req.url).pathname}: unknown key`)
    return new Response(STATUS_TEXT[STATUS_CODE.Unauthorized], {
      status: STATUS_CODE.Unauthorized,
      headers: { 'WWW-Authenticate': 'ApiKey realm="deno-api"' },
    })
  }

  if (req.method !== 'GET' && !keys.get(key)!.scopes.includes('write')) {
    return new Response('Key lacks the write scope', {
      status: STATUS_CODE.Forbidden,
      headers: { 'WWW-Authenticate': 'ApiKey error="insufficient_scope", scope="write"' },
    })
  }

  return Response.json({ ok: true }, { status: STATUS_CODE.OK })
})
