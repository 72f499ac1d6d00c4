// Mock Service Worker handlers (src/mocks/handlers.ts): client-side test
// doubles of a third-party API, not this service's responses. MSW v2 forms
// stay silent, but MSW v1's `res(ctx.status(401), ctx.json(…))` is read as an
// Express `ctx.status(401)` and gets require-www-authenticate and
// require-401-logging, with a `.set(…)` fix that MSW's ctx does not have.
// Possible cause/fix: a `status` call whose result is an argument of another
// call (`res(ctx.status(401))`) is a composition, not a response; or skip
// files that import from 'msw'.
import { http, HttpResponse } from 'msw'
import { rest } from 'msw-v1'

export const handlers = [
  http.get('https://api.example.com/me', () => {
    return new HttpResponse(null, { status: 401 })
  }),
  http.get('https://api.example.com/orders', () => HttpResponse.json({ error: 'expired' }, { status: 401 })),
  rest.get('https://api.example.com/legacy', (req, res, ctx) => res(ctx.status(401), ctx.json({ error: 'expired' }))),
]
