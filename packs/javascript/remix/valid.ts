import { json, type LoaderFunctionArgs } from '@remix-run/node';

export async function loader({ request }: LoaderFunctionArgs) {
  const token = request.headers.get('Authorization');
  if (!token) {
    console.info('loader: no Authorization header');
    throw json(
      { error: 'missing token' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="app"' } },
    );
  }
  return json({ ok: true });
}
