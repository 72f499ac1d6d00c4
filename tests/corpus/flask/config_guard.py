"""Flask API key check configured from app.config. An unset key is a server
configuration error answered with 401; the challenge on a wrong key puts a
colon after the scheme, as if it were an Authorization header."""
import hmac

from flask import Flask, abort, current_app, jsonify, request

app = Flask(__name__)


@app.route("/internal/jobs", methods=["POST"])
def enqueue_job():
    expected = current_app.config.get("INTERNAL_API_KEY")
    if not expected:
        current_app.logger.error("INTERNAL_API_KEY is not configured")
        abort(401)  # expect: no-401-for-server-error
    provided = request.headers.get("X-Api-Key", "")
    if not hmac.compare_digest(provided, expected):
        current_app.logger.warning("bad internal api key")
        return (
            jsonify(error="invalid api key"),
            401,
            {"WWW-Authenticate": 'ApiKey: realm="internal"'},  # expect: valid-www-authenticate
        )
    return jsonify(queued=True), 202
