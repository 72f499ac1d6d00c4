"""Older Flask endpoints. print() is not logging by default, so the 401 after
it is unlogged; the Response built with status=401 has a challenge whose two
parameters are not separated by a comma."""
from flask import Flask, Response, request

app = Flask(__name__)
LEGACY_KEY = "abc123"


@app.route("/legacy/report")
def legacy_report():
    if request.args.get("key") != LEGACY_KEY:
        print("bad legacy key", request.remote_addr)
        return "Unauthorized", 401, {"WWW-Authenticate": 'Basic realm="legacy"'}  # expect: require-401-logging
    return "report"


@app.route("/legacy/export")
def legacy_export():
    if request.args.get("key") != LEGACY_KEY:
        app.logger.info("legacy export rejected")
        return Response(
            "Unauthorized",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="legacy" charset="UTF-8"'},  # expect: valid-www-authenticate
        )
    return Response("a,b\n", mimetype="text/csv")
