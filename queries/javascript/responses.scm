; Where responses are built in JavaScript and TypeScript.
;
; Used for .js/.jsx/.mjs/.cjs (JavaScript grammar) and .ts/.tsx (the
; TypeScript grammars extend the JavaScript one, so the same node types
; exist). Each pattern captures a candidate node as @site.<kind>;
; src/engine/javascript.rs reads status, headers and message from it and
; drops candidates that turn out not to be responses (a status read in
; an `if`, a test assertion, an unrelated number).

; new Response(body, init) / new NextResponse(body, init)
(new_expression
  constructor: (identifier) @ctor
  (#any-of? @ctor "Response" "NextResponse")) @site.constructor

; Response.json(body, init) / NextResponse.json(body, init)
(call_expression
  function: (member_expression
    object: (identifier) @class
    property: (property_identifier) @method)
  (#any-of? @class "Response" "NextResponse")
  (#eq? @method "json")) @site.static_json

; throw new HTTPException(401, { message }) (Hono)
(new_expression
  constructor: (identifier) @ctor
  (#eq? @ctor "HTTPException")) @site.http_exception

; res.status(401), res.sendStatus(401), reply.code(401), res.writeHead(401, …),
; ctx.throw(401, …), c.json(body, 401, headers), c.text(…), c.body(…), c.status(401)
(call_expression
  function: (member_expression
    property: (property_identifier) @method)
  arguments: (arguments (_))
  (#any-of? @method "status" "sendStatus" "code" "writeHead" "throw" "json" "text" "body" "html" "newResponse")) @site.method

; res.statusCode = 401 (Express, Node http), ctx.status = 401 (Koa)
(assignment_expression
  left: (member_expression
    property: (property_identifier) @prop)
  (#any-of? @prop "statusCode" "status")) @site.assignment

; return { statusCode: 401, headers, body } (AWS Lambda)
(object
  (pair
    key: [(property_identifier) (string)] @key)
  (#match? @key "^[\"']?statusCode[\"']?$")) @site.lambda

; jsonError('Missing token', 401): calls that may be response helpers
(call_expression
  function: (identifier) @callee
  arguments: (arguments (_))) @site.call
