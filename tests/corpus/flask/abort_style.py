"""Flask blueprint using abort(). A missing session aborts 401 with no
challenge or log; the role check is a correct, logged 403; the reports view
aborts 403 "Login required" for an anonymous visitor."""
from flask import Blueprint, abort, current_app, jsonify, session

from .db import Report, User, db

bp = Blueprint("admin", __name__)


@bp.route("/admin/export")
def export():
    if "user_id" not in session:
        abort(401)  # expect: require-www-authenticate, require-401-logging
    user = db.session.get(User, session["user_id"])
    if user.role != "admin":
        current_app.logger.warning("export denied for user %s", user.id)
        abort(403)
    return jsonify(rows=[])


@bp.route("/reports/<int:rid>")
def report(rid):
    if "user_id" not in session:
        abort(403, description="Login required")  # expect: prefer-401-for-authentication
    return jsonify(db.get_or_404(Report, rid).to_dict())
