"""A Flask API. authlint: abort(401) sends no challenge and logs nothing; the
tuple return echoes the decode error into the 401 body; the admin check
answers 401 to a signed-in user. The metrics view is correct."""
import jwt
from flask import Flask, abort, g, jsonify, request

app = Flask(__name__)
app.config["SECRET_KEY"] = "change-me"


@app.before_request
def load_user():
    g.user = None
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if token:
        try:
            g.user = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
        except jwt.InvalidTokenError as e:
            app.logger.warning("rejected token: %s", e)
            return jsonify(error=str(e)), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@app.route("/me")
def me():
    if g.user is None:
        abort(401)
    return jsonify(g.user)


@app.route("/admin/users")
def admin_users():
    if g.user is None:
        app.logger.info("admin listing without a user")
        return jsonify(error="Sign in"), 401, {"WWW-Authenticate": 'Bearer realm="api"'}
    if not g.user.get("admin"):
        return jsonify(error="Admins only"), 401
    return jsonify(users=[])


@app.route("/metrics")
def metrics():
    if request.authorization is None:
        app.logger.info("metrics without credentials")
        return "Authentication required", 401, {"WWW-Authenticate": 'Basic realm="metrics"'}
    return "requests_total 1\n"
