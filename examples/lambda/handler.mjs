// AWS Lambda behind API Gateway. authlint: the missing-token result has no
// headers at all, and a bad API key is answered with 403 (it is a 401).
import { CognitoJwtVerifier } from 'aws-jwt-verify'

const verifier = CognitoJwtVerifier.create({
  userPoolId: process.env.USER_POOL_ID,
  tokenUse: 'access',
  clientId: process.env.CLIENT_ID,
})

export const handler = async (event) => {
  const token = event.headers?.authorization?.replace(/^Bearer\s+/i, '')
  if (!token) {
    return { statusCode: 401, body: JSON.stringify({ message: 'Missing token' }) }
  }
  try {
    const claims = await verifier.verify(token)
    return { statusCode: 200, body: JSON.stringify({ sub: claims.sub }) }
  } catch (err) {
    console.warn('token rejected', err.name)
    return {
      statusCode: 403,
      body: JSON.stringify({ message: 'Invalid token' }),
    }
  }
}
