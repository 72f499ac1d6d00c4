// Express guard factories that run after authentication. requireRole answers
// 401 when a signed-in user lacks the role (a 403) and its "fixed" challenge is
// not a valid header value; requireScope is correct (403 + insufficient_scope).
function requireRole(role) {
  return (req, res, next) => {
    if (!req.user) {
      console.warn('requireRole(%s) used without authentication', role)
      return res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="api') // expect: valid-www-authenticate
        .json({ error: 'Unauthenticated' })
    }
    if (!req.user.roles.includes(role)) {
      return res.status(401).json({ error: `Requires role ${role}` }) // expect: prefer-403-for-authorization
    }
    next()
  }
}

function requireScope(scope) {
  return (req, res, next) => {
    const scopes = (req.auth?.scope ?? '').split(' ')
    if (!scopes.includes(scope)) {
      return res
        .status(403)
        .set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${scope}"`)
        .json({ error: 'insufficient_scope' })
    }
    next()
  }
}

module.exports = { requireRole, requireScope }
