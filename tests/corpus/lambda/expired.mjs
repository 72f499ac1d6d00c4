// AWS Lambda (HTTP API) checking token expiry itself. The expired-token result
// challenges with Bearer but no error code and logs nothing; the missing-token
// result is correct.
import { decodeJwt } from 'jose'

export const handler = async (event) => {
  const token = event.headers?.authorization?.split(' ')[1]
  if (!token) {
    console.log('no bearer token', event.requestContext?.requestId)
    return {
      statusCode: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="lambda"' },
      body: JSON.stringify({ message: 'Token required' }),
    }
  }

  const claims = decodeJwt(token)
  if (!claims.exp || claims.exp * 1000 < Date.now()) {
    return {
      statusCode: 401, // expect: require-401-logging
      headers: { 'WWW-Authenticate': 'Bearer realm="lambda"' }, // expect: bearer-error-code
      body: JSON.stringify({ message: 'Token expired' }),
    }
  }
  return { statusCode: 200, body: JSON.stringify({ sub: claims.sub }) }
}
