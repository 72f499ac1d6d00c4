import { json, type LoaderFunctionArgs } from '@remix-run/node';

export async function loader({ request }: LoaderFunctionArgs) {
  const token = request.headers.get('Authorization');
  if (!token) {
    throw json({ error: 'missing token' }, { status: 401 });
  }
  const user = await authenticate(token);
  if (!user) {
    throw json({ error: 'invalid token' }, 401);
  }
  return json({ user });
}
