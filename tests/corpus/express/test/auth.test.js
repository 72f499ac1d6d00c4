// Jest + supertest tests for the Express app: they read statuses and headers
// and must stay silent.
const request = require('supertest')
const app = require('../server-config')

describe('auth', () => {
  it('rejects a request without a token', async () => {
    const res = await request(app).get('/api/orders/1')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
  })

  it('rejects a non-admin', async () => {
    await request(app).delete('/api/users/2').set('Authorization', 'Bearer user').expect(403)
  })

  it.each([401, 403])('maps %i to a JSON body', async (status) => {
    const res = await request(app).get(`/api/fail/${status}`)
    expect(res.body).toEqual({ error: expect.any(String) })
  })
})
