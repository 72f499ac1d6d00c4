; Where responses are built in JavaScript and TypeScript.
;
; Used for .js/.jsx/.mjs/.cjs (JavaScript grammar) and .ts/.tsx (the
; TypeScript grammars extend the JavaScript one, so the same node types
; exist). Each pattern captures a candidate node as @site.<kind>.
;
; The patterns name node kinds only. tree-sitter analyses every step of a
; pattern against the whole grammar when the query is compiled, and on the
; TypeScript grammar a pattern with field constraints costs 3–9 ms: the
; detailed form of this file took 37 ms to compile, a fixed cost paid by
; every `authlint lint` run. The shape checks that follow each kind are
; cheap at match time, so they live in `classify` in
; src/engine/javascript.rs, which then reads status, headers and message and
; drops candidates that turn out not to be responses (a status read in an
; `if`, a test assertion, an unrelated number).

; new Response(body, init), new NextResponse(body, init)   (Web, Next.js)
; new HTTPException(401, { message })                       (Hono)
; new UnauthorizedException(), new HttpException(body, HttpStatus.UNAUTHORIZED)  (NestJS)
; new createError.Unauthorized('…')                         (http-errors)
(new_expression) @site.new

; Response.json(body, init), NextResponse.json(body, init)
; res.status(401)…, res.sendStatus(401), reply.code(401), res.writeHead(401, …),
; ctx.throw(401, …), c.json(body, 401, headers), c.text(…), c.body(…), c.status(401)
; createError(401, '…'), createError.Unauthorized('…')     (http-errors)
; jsonError('Missing token', 401): calls that may be response helpers
(call_expression) @site.call

; res.statusCode = 401 (Express, Node http), ctx.status = 401 (Koa)
(assignment_expression) @site.assignment

; return { statusCode: 401, headers, body } (AWS Lambda), and
; const json = (statusCode, body) => ({ statusCode, body }) (a result helper)
(object) @site.object

; return fetch(url, { headers: { Authorization: `Bearer ${KEY}` } }), and
; return res after const res = await fetch(…): the upstream's whole answer
(return_statement) @site.return
