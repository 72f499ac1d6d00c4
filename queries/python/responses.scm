; Where responses are built in Python (FastAPI/Starlette, Flask/Werkzeug,
; Django, AWS Lambda).
;
; Each pattern captures a candidate node as @site.<kind>. As in the
; JavaScript query, the patterns name node kinds only: field constraints
; make compiling the query several times slower, and the shape checks are
; cheap at match time, so they live in `classify` in src/engine/python.rs.
; That file then reads status, headers and message and drops candidates
; that turn out not to be responses (a client's `resp.status_code == 401`,
; a test assertion, an unrelated tuple or number).

; HTTPException(status_code=401, ...), JSONResponse(..., status_code=401),
; Response(status=401), HttpResponse(status=401), JsonResponse(..., status=401),
; HttpResponseForbidden(...), abort(401), make_response(..., 401),
; Unauthorized(...), Forbidden(...), PermissionDenied(...)
; (also as attributes: `fastapi.HTTPException`, `flask.abort`, `web.Response`);
; error_response("Missing token", 401), AuthError(), self.deny(...):
; calls that may be response helpers or project exception classes
(call) @site.call

; raise Unauthorized / raise credentials_exception / raise AuthError
(raise_statement) @site.raise

; return body, 401 / return body, 401, headers / return (body, 401)  (Flask)
(return_statement) @site.return

; response.status_code = 401  (FastAPI `response: Response`, Flask, Django)
(assignment) @site.assignment

; return {"statusCode": 401, "headers": {...}, "body": ...}  (AWS Lambda)
(dictionary) @site.dictionary
