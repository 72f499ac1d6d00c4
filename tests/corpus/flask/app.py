"""Flask API with the token_required decorator from a widely copied tutorial.
Neither 401 challenges or logs, the invalid-token branch returns the exception
text, and the admin check answers 401 to a signed-in user."""
from functools import wraps

import jwt
from flask import Flask, g, jsonify, request

from .models import User

app = Flask(__name__)
app.config["SECRET_KEY"] = "thisissecret"


def token_required(f):
    @wraps(f)
    def decorated(*args, **kwargs):
        token = request.headers.get("x-access-token")
        if not token:
            return jsonify({"message": "Token is missing!"}), 401  # expect: require-www-authenticate, require-401-logging
        try:
            data = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
            g.current_user = User.query.filter_by(public_id=data["public_id"]).first()
        except Exception as e:
            return jsonify({"message": "Token is invalid!", "error": str(e)}), 401  # expect: require-www-authenticate, require-401-logging, no-error-detail-in-401
        return f(*args, **kwargs)

    return decorated


@app.route("/user", methods=["GET"])
@token_required
def get_all_users():
    if not g.current_user.admin:
        return jsonify({"message": "Cannot perform that function!"}), 401  # expect: prefer-403-for-authorization
    users = User.query.all()
    return jsonify({"users": [u.public_id for u in users]})
