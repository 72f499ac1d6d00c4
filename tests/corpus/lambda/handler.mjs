// AWS Lambda (API Gateway proxy) verifying a Cognito access token. A local
// json(statusCode, body, headers) helper builds results: the missing-token call
// passes no challenge and logs nothing; the rejected-token call passes one.
import { CognitoJwtVerifier } from 'aws-jwt-verify'

const verifier = CognitoJwtVerifier.create({
  userPoolId: process.env.USER_POOL_ID,
  tokenUse: 'access',
  clientId: process.env.CLIENT_ID,
})

const json = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

export const handler = async (event) => {
  const token = event.headers?.authorization?.replace(/^Bearer\s+/i, '')
  if (!token) {
    return json(401, { message: 'Missing token' }) // expect: require-www-authenticate, require-401-logging
  }
  try {
    const claims = await verifier.verify(token)
    return json(200, { sub: claims.sub, scope: claims.scope })
  } catch (err) {
    console.warn('token rejected', err)
    return json(401, { message: 'Invalid token' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
  }
}
