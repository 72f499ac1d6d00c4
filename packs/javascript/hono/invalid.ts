import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';

const app = new Hono();

app.get('/reports', async (c) => {
  const header = c.req.header('Authorization');
  if (!header) {
    // No challenge: Hono answers with a bare 401.
    throw new HTTPException(401, { message: 'missing bearer token' });
  }
  const user = await sessions.lookup(header.slice(7));
  if (!user) {
    console.warn('reports: unknown session');
    // The response passed as `res` names no challenge either.
    throw new HTTPException(401, { res: new Response('unknown session', { status: 401 }) });
  }
  if (!user.roles.includes('analyst')) {
    console.warn('reports: user lacks the analyst role');
    throw new HTTPException(401, { message: 'analyst role required' });
  }
  return c.json(await reports.forUser(user));
});

export default app;
