import { AutoRouter, error, json, status } from 'itty-router';

const router = AutoRouter();

router.get('/notes', async (request) => {
  const token = request.headers.get('Authorization');
  if (!token) return error(401, 'missing token');
  const user = await verify(token);
  if (!user) return json({ error: 'invalid token' }, { status: 401 });
  if (user.disabled) return status(401);
  return listNotes(user);
});

export default router;
