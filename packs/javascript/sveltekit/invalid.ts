import { error, json, text } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ request, locals }) => {
  const auth = request.headers.get('authorization');
  if (!auth) error(401, 'Missing bearer token');
  const session = await locals.verify(auth);
  if (!session) {
    return json({ message: 'invalid token' }, { status: 401 });
  }
  if (!session.scopes.includes('export')) {
    return text('admins only', { status: 401 });
  }
  return json(await exportData(session));
};
