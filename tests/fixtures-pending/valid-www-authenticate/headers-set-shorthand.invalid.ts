// `headers.set('WWW-Authenticate', '')` on a Headers variable passed as the
// shorthand `{ headers }` is never validated: the shorthand is opaque (see
// require-www-authenticate/shorthand-headers.invalid.ts), so neither the empty
// value nor `'true'` is reported. With `headers: headers` both are.
Bun.serve({
  fetch(req) {
    if (!req.headers.get("authorization")) {
      console.warn("no credentials");
      const headers = new Headers();
      headers.set("WWW-Authenticate", "");
      return new Response("Unauthorized", { status: 401, headers });
    }
    if (req.headers.get("authorization") === "Basic") {
      console.warn("bad basic credentials");
      const headers = new Headers({ "Content-Type": "text/plain" });
      headers.set("WWW-Authenticate", "true");
      return new Response("Unauthorized", { status: 401, headers });
    }
    return new Response("ok");
  },
});
