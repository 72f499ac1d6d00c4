// A remote MCP server (Streamable HTTP) behind a bearer token check.
import express from 'express'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { verifyAccessToken } from './tokens.js'

const RESOURCE_METADATA = 'https://notes.example.com/.well-known/oauth-protected-resource'

const app = express()
app.use(express.json())
const server = new McpServer({ name: 'notes', version: '1.0.0' })

// RFC 9728: where MCP clients learn which authorization server to use.
app.get('/.well-known/oauth-protected-resource', (req, res) => {
  res.json({
    resource: 'https://notes.example.com/mcp',
    authorization_servers: ['https://auth.example.com'],
  })
})

app.post('/mcp', async (req, res) => {
  const token = req.headers.authorization?.replace('Bearer ', '')
  if (!token || !(await verifyAccessToken(token))) {
    console.warn('Returning 401 - reason: missing or invalid access token')
    // The challenge does not say where the metadata is: clients cannot
    // start the sign-in.
    return res.status(401).set('WWW-Authenticate', 'Bearer realm="notes"').json({ error: 'unauthorized' })
  }
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
  await server.connect(transport)
  await transport.handleRequest(req, res, req.body)
})

app.listen(3000)
