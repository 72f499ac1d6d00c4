import { json } from '@solidjs/router';
import type { APIEvent } from '@solidjs/start/server';

export async function GET({ request }: APIEvent) {
  const token = request.headers.get('authorization');
  if (!token) {
    return json({ error: 'missing token' }, { status: 401 });
  }
  return json(await listNotes(token));
}
