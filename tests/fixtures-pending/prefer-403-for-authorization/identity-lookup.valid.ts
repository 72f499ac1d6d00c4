// Looking up *who* a credential belongs to is authentication: a key with no
// owner, or a member token with no member, is an unknown caller (401).
// authlint reads `owner`/`member` in the condition as an authorization check.
const challenge = { 'WWW-Authenticate': 'ApiKey realm="api"' }

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const key = request.headers.get('x-api-key') ?? ''
    const owner = await lookupKeyOwner(key)
    if (owner === null) {
      console.log('unknown key')
      return new Response('Unknown API key', { status: 401, headers: challenge })
    }
    const member = await findMemberByToken(request.headers.get('x-member-token') ?? '')
    if (!member) {
      console.log('unknown member token')
      return new Response('Unauthorized', { status: 401, headers: challenge })
    }
    return new Response(`hello ${member.name}`)
  },
}
