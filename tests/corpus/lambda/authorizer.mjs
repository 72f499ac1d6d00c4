// API Gateway Lambda authorizer. It throws 'Unauthorized' (API Gateway turns
// that into its own 401) and returns IAM policies: no status responses here.
import { CognitoJwtVerifier } from 'aws-jwt-verify'

const verifier = CognitoJwtVerifier.create({ userPoolId: process.env.USER_POOL_ID, tokenUse: 'id', clientId: null })

export const handler = async (event) => {
  const token = event.authorizationToken?.replace('Bearer ', '')
  if (!token) throw new Error('Unauthorized')

  try {
    const claims = await verifier.verify(token)
    return policy(claims.sub, 'Allow', event.methodArn)
  } catch {
    return policy('anonymous', 'Deny', event.methodArn)
  }
}

function policy(principalId, effect, resource) {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  }
}
