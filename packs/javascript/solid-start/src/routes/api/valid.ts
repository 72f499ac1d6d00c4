import { json } from '@solidjs/router';
import type { APIEvent } from '@solidjs/start/server';

export async function GET({ request }: APIEvent) {
  const token = request.headers.get('authorization');
  if (!token) {
    console.warn('notes: no Authorization header');
    return json(
      { error: 'missing token' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="notes"' } },
    );
  }
  return json(await listNotes(token));
}
