// corsHeaders (../_shared/cors.js, CommonJS) has no WWW-Authenticate entry,
// so this 401 has no challenge. authlint treats the destructured `require`
// as opaque and says nothing.
const { corsHeaders } = require('../_shared/cors.js')

exports.handler = async (event) => {
  if (!event.headers.authorization) {
    console.warn('Returning 401 - reason: no credentials')
    return { statusCode: 401, headers: { ...corsHeaders }, body: '' }
  }
  return { statusCode: 200, headers: corsHeaders, body: 'ok' }
}
