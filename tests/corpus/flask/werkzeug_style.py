"""Flask app raising Werkzeug exceptions and building responses by hand.
require_token's first branch is right; a rejected token raises Unauthorized
without a challenge or log. The metrics view sets the header on the response
object; the tuple return for an expired token challenges but logs nothing and
lacks error="invalid_token"."""
from flask import Flask, jsonify, make_response, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from . import tokens

app = Flask(__name__)


def require_token():
    auth = request.authorization
    if auth is None or auth.type != "bearer":
        app.logger.info("no bearer token")
        raise Unauthorized(www_authenticate=WWWAuthenticate("bearer", {"realm": "api"}))
    if not tokens.is_valid(auth.token):
        raise Unauthorized("Token expired or revoked")  # expect: require-www-authenticate, require-401-logging
    return auth.token


@app.route("/metrics")
def metrics():
    auth = request.authorization
    if not auth or not tokens.check_password(auth.username, auth.password):
        app.logger.warning("metrics: bad credentials")
        resp = make_response("Authentication required", 401)
        resp.headers["WWW-Authenticate"] = 'Basic realm="metrics"'
        return resp
    return "requests_total 1\n"


@app.route("/api/feed")
def feed():
    token = require_token()
    if tokens.is_expired(token):
        return (
            jsonify(error="token expired"),
            401,  # expect: require-401-logging
            {"WWW-Authenticate": "Bearer"},  # expect: bearer-error-code
        )
    return jsonify(items=[])
