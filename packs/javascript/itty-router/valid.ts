import { AutoRouter, error, json } from 'itty-router';

const router = AutoRouter();
const challenge = { 'WWW-Authenticate': 'Bearer realm="notes"' };

router.get('/notes', async (request) => {
  const token = request.headers.get('Authorization');
  if (!token) {
    console.warn('notes: no Authorization header');
    return json({ error: 'missing token' }, { status: 401, headers: challenge });
  }
  const user = await verify(token);
  if (!user.canRead) return error(403, 'not allowed to read notes');
  return listNotes(user);
});

export default router;
