// AWS Lambda returning result objects inline. A missing API key answers 403;
// an unknown key answers 401 with neither challenge nor log; a suspended
// tenant is a correct 403.
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb')

const db = new DynamoDBClient({})

async function lookupTenant(apiKey) {
  const out = await db.send(new GetItemCommand({ TableName: 'tenants', Key: { apiKey: { S: apiKey } } }))
  return out.Item ? { id: out.Item.id.S, suspended: out.Item.suspended?.BOOL === true } : null
}

exports.handler = async (event) => {
  const apiKey = event.headers['x-api-key']
  if (!apiKey) {
    return {
      statusCode: 403, // expect: prefer-401-for-authentication
      body: JSON.stringify({ message: 'Missing API key' }),
    }
  }

  const tenant = await lookupTenant(apiKey)
  if (!tenant) {
    return {
      statusCode: 401, // expect: require-www-authenticate, require-401-logging
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'Invalid API key' }),
    }
  }

  if (tenant.suspended) {
    return { statusCode: 403, body: JSON.stringify({ message: 'Account suspended' }) }
  }
  return { statusCode: 200, body: JSON.stringify({ tenant: tenant.id }) }
}
