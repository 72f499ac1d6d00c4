/** @jsxImportSource hono/jsx */
// The log fix takes its reason from a JSX attribute (`'/dashboard'`), which is
// not a message. Expected: fall back to the condition, e.g.
//   console.error('Returning 401 - reason:', 'condition !getCookie(c, \'session\')')
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'

const app = new Hono()

const Login = (props: { next: string }) => (
  <form method="post" action={`/login?next=${props.next}`}>
    <input name="email" type="email" />
    <button type="submit">Sign in</button>
  </form>
)

app.get('/dashboard', (c) => {
  if (!getCookie(c, 'session')) {
    c.header('WWW-Authenticate', 'Bearer realm="dashboard"')
    return c.html(<Login next="/dashboard" />, 401)
  }
  return c.html(<h1>Dashboard</h1>)
})

export default app
