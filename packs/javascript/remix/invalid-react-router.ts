import { data } from 'react-router';

export async function action({ request }: { request: Request }) {
  const key = request.headers.get('x-api-key');
  if (!key) {
    return data({ error: 'api key required' }, { status: 401, statusText: 'Unauthorized' });
  }
  return data({ ok: true });
}
