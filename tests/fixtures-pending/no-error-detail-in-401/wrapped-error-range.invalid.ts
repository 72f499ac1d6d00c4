// The finding's range (and the message's quoted text) stops at the bare
// identifier when the error is wrapped: `String(error)` is reported as
// `error`, `(e as Error).message` as `e`. Expected: the whole echoing
// expression, `String(error)` and `(e as Error).message`. Cause: the climb
// in echoed_error stops at `arguments`, `as_expression` and
// `parenthesized_expression` parents.
Bun.serve({
  async fetch(req) {
    try {
      await verifyKey(req.headers.get("x-api-key"));
    } catch (error) {
      console.warn("key rejected", error);
      return Response.json({ msg: String(error) }, { status: 403 });
    }
    try {
      await verifySession(req);
    } catch (e) {
      console.warn("session rejected", e);
      return Response.json({ msg: (e as Error).message }, { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
    }
    return new Response("ok");
  },
});
