import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

const challenge = { 'WWW-Authenticate': 'Bearer realm="export"' };

export const GET: RequestHandler = async ({ request, locals }) => {
  const auth = request.headers.get('authorization');
  if (!auth) {
    console.warn('export: no Authorization header');
    return json({ message: 'missing token' }, { status: 401, headers: challenge });
  }
  const session = await locals.verify(auth);
  if (session.role !== 'admin') {
    error(403, 'not allowed to export');
  }
  return json(await exportData(session));
};
