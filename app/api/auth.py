"""/api/v1/auth: log in, log out, register; personal calendar token."""

from __future__ import annotations

from flask import current_app, g, jsonify, url_for
from flask_babel import gettext as _

from ..auth import services
from ..errors import ApiError
from ..extensions import db, limiter
from . import bp
from .helpers import current_api_user, document, json_body, validation_error


def _login_key() -> str:
    from flask import request

    data = request.get_json(silent=True)
    username = data.get("username") if isinstance(data, dict) else None
    return f"login:{str(username or '').strip().lower()[:100]}"


def _failed_login(response) -> bool:
    return response.status_code == 401


@bp.post("/auth/login")
@limiter.limit("10 per 15 minutes", key_func=_login_key, deduct_when=_failed_login,
               error_message="rate_limited")
def login():
    data = json_body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(400, "bad_request", _("Cần có tên đăng nhập và mật khẩu."))
    user = services.authenticate(username, password)
    if user is None:
        db.session.commit()
        raise ApiError(401, "unauthorized", _("Tên đăng nhập hoặc mật khẩu không đúng."))
    token = services.issue_token(user, current_app.config["API_TOKEN_HOURS"])
    db.session.commit()
    return jsonify({"token": token, "user": user.to_dict()})


@bp.post("/auth/logout")
def logout():
    current_api_user()
    services.revoke_token(g.api_token)
    db.session.commit()
    return jsonify({"ok": True})


@bp.post("/auth/register")
@limiter.limit("10 per hour")
def register():
    try:
        user = services.register_citizen(json_body())
    except services.FieldErrors as exc:
        db.session.rollback()
        if "consents" in exc.errors and len(exc.errors) == 1:
            raise ApiError(422, "consent_required", exc.errors["consents"].translated(_),
                           errors={"consents": exc.errors["consents"].translated(_)}) from None
        raise validation_error(exc.errors) from None
    db.session.commit()
    return jsonify(user.to_dict()), 201


@bp.post("/me/calendar-token")
def calendar_token():
    user = current_api_user()
    token = services.new_calendar_token(user)
    db.session.commit()
    return jsonify({"url": url_for("calendar.me_feed", token=token, _external=True)})


_CRED = {"type": "object", "required": ["username", "password"],
         "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}
document("/auth/login", "post", "Log in; returns a bearer token", body=_CRED)
document("/auth/logout", "post", "Revoke the caller's token", auth=True)
document("/auth/register", "post", "Register a citizen account", body={
    "type": "object", "required": ["full_name", "phone", "password", "consents"],
    "properties": {"full_name": {"type": "string"}, "phone": {"type": "string"},
                   "email": {"type": "string"}, "password": {"type": "string"},
                   "cccd": {"type": "string"}, "address": {"type": "string"},
                   "consents": {"type": "object"}}},
    responses={"201": {"description": "Created"}})
document("/me/calendar-token", "post", "A new personal calendar feed URL", auth=True)
