require('chai').should()
const chai = require('chai')
const app = require('../app')

describe('GET /me', () => {
  it('rejects anonymous callers', async () => {
    const res = await chai.request(app).get('/me')
    res.should.have.status(401)
    res.body.should.have.property('status', 401)
  })
})
