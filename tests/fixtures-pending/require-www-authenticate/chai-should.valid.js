// chai's should-style assertions: `res.should.have.status(401)` reads a
// status, it does not set one. authlint reports it as an Express
// `res.status(401)` (require-www-authenticate and require-401-logging, with a
// `.set(…)` fix). Cause: in_assertion/non_response_receiver only look at the
// head of the callee (`res`), so a `.should.` (or `.to.`/`.have.`) segment in
// the receiver chain is not recognised as an assertion.
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
