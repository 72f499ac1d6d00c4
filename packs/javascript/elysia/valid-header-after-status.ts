import { Elysia } from 'elysia'
new Elysia().get('/me', ({ headers, set }) => {
  if (!headers.authorization) {
    console.warn('no token')
    set.status = 401
    set.headers['WWW-Authenticate'] = 'Bearer realm="api"'
    return 'unauthorized'
  }
  return 'ok'
})
