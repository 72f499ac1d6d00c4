; Where responses are built in Python (FastAPI/Starlette, Flask/Werkzeug,
; Django, AWS Lambda).
;
; Each pattern captures a candidate node as @site.<kind>; src/engine/python.rs
; reads status, headers and message from it and drops candidates that turn
; out not to be responses (a client's `resp.status_code == 401`, a test
; assertion, an unrelated tuple or number).

; HTTPException(status_code=401, ...), JSONResponse(..., status_code=401),
; Response(status=401), HttpResponse(status=401), JsonResponse(..., status=401),
; HttpResponseForbidden(...), abort(401), make_response(..., 401),
; Unauthorized(...), Forbidden(...), PermissionDenied(...)
; (also as attributes: `fastapi.HTTPException`, `flask.abort`, `web.Response`)
(call
  function: [
    (identifier) @ctor
    (attribute attribute: (identifier) @ctor)
  ]
  (#any-of? @ctor
    "HTTPException" "StarletteHTTPException"
    "Response" "JSONResponse" "PlainTextResponse" "HTMLResponse" "ORJSONResponse"
    "UJSONResponse" "StreamingResponse"
    "HttpResponse" "JsonResponse" "HttpResponseForbidden" "StreamingHttpResponse"
    "abort" "make_response"
    "Unauthorized" "Forbidden" "PermissionDenied")) @site.constructor

; raise Unauthorized / raise credentials_exception / raise AuthError
(raise_statement
  [(identifier) (attribute)] @site.raise_name)

; return body, 401 / return body, 401, headers / return (body, 401)  (Flask)
(return_statement
  [(expression_list) (tuple)] @site.tuple)

; response.status_code = 401  (FastAPI `response: Response`, Flask, Django)
(assignment
  left: (attribute
    attribute: (identifier) @prop)
  (#eq? @prop "status_code")) @site.assignment

; return {"statusCode": 401, "headers": {...}, "body": ...}  (AWS Lambda)
(dictionary
  (pair
    key: (string) @key)
  (#match? @key "^[\"']statusCode[\"']$")) @site.lambda

; error_response("Missing token", 401), AuthError(), self.deny(...):
; calls that may be response helpers or project exception classes
(call
  function: [
    (identifier)
    (attribute object: (identifier) @recv (#any-of? @recv "self" "cls"))
  ]
  arguments: (argument_list)) @site.call
