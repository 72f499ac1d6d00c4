import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';

const app = new Hono();

const challenge = { 'WWW-Authenticate': 'Bearer realm="reports"' };

app.get('/reports', async (c) => {
  const header = c.req.header('Authorization');
  if (!header) {
    console.warn('reports: no Authorization header');
    // The response passed as `res` carries the challenge.
    const res = new Response('missing bearer token', { status: 401, headers: challenge });
    throw new HTTPException(401, { res });
  }
  const user = await sessions.lookup(header.slice(7));
  if (!user) {
    console.warn('reports: unknown session');
    throw new HTTPException(401, {
      res: new Response('unknown session', { status: 401, headers: challenge }),
    });
  }
  if (!user.roles.includes('analyst')) {
    console.warn('reports: user lacks the analyst role');
    throw new HTTPException(403, { message: 'analyst role required' });
  }
  return c.json(await reports.forUser(user));
});

// A class of the same name that is not Hono's says nothing about a response.
class HTTPException2 extends Error {}
export function notHono() {
  return new HTTPException2('401');
}

export default app;
