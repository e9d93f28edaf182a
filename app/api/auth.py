"""/api/v1/auth: log in, log out, register; personal calendar token."""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from sessions.errors import CoreError

from ..auth import services
from ..doors import rollback
from ..errors import ApiError
from ..extensions import limiter
from . import bp
from .helpers import OPENAPI_PATHS, current_api_user, document, json_body, validation_error


@bp.post("/auth/login")
def login():
    data = json_body()
    username, password, code = data.get("username"), data.get("password"), data.get("totp")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(400, "bad_request", _("Cần có tên đăng nhập và mật khẩu."))
    code = code.strip() if isinstance(code, str) else None
    # A refused login answers (not raises) its error: the door then commits the
    # failure, which is audited and counted.
    try:
        user = services.attempt_login(username, password, address=request.remote_addr or "",
                                      code=code, where="api")
    except services.Throttled as exc:
        return ApiError(429, "rate_limited", _("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại "
                                               "sau."), headers={"Retry-After": str(exc.seconds)}
                        ).response()
    if user is None:
        return ApiError(401, "unauthorized", _("Tên đăng nhập hoặc mật khẩu không đúng.") if not code
                        else _("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.")).response()
    if user.totp_enabled and not code:
        return ApiError(401, "totp_required",
                        _("Tài khoản này bật xác thực hai bước: cần gửi kèm mã xác thực "
                          "(trường totp).")).response()
    token = services.issue_token(user, current_app.config["API_TOKEN_HOURS"])
    return jsonify({"token": token, "user": user.to_dict()})


@bp.post("/auth/logout")
def logout():
    current_api_user()
    services.revoke_token(g.api_token)
    return jsonify({"ok": True})


@bp.post("/auth/register")
@limiter.limit("10 per hour")
def register():
    try:
        user = services.register_citizen(json_body())
    except CoreError as exc:
        rollback()
        if "consents" in exc.errors and len(exc.errors) == 1:
            raise ApiError(422, "consent_required", exc.errors["consents"].translated(_),
                           errors={"consents": exc.errors["consents"].translated(_)}) from None
        raise validation_error(exc.errors) from None
    return jsonify(user.to_dict()), 201


@bp.post("/me/calendar-token")
def calendar_token():
    user = current_api_user()
    token = services.new_calendar_token(user)
    return jsonify({"url": url_for("calendar.me_feed", token=token, _external=True)})


_CRED = {"type": "object", "required": ["username", "password"],
         "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                        "totp": {"type": "string", "description": (
                            "Required when the account has two-step verification (TOTP) "
                            "enabled: the current 6-digit code, or an unused recovery code. "
                            "A code is accepted once; a wrong code counts as a failed attempt.")}}}
_USER = {"type": "object", "required": ["id", "full_name", "roles"], "properties": {
    "id": {"type": "integer"}, "full_name": {"type": "string"},
    "roles": {"type": "array", "items": {"type": "string"}}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


document("/auth/login", "post", "Log in; returns a bearer token", body=_CRED,
         responses={"200": _json("The token and its user", {
             "type": "object", "required": ["token", "user"],
             "properties": {"token": {"type": "string"}, "user": _USER}})})
OPENAPI_PATHS["/auth/login"]["post"]["description"] = (
    "Accounts with two-step verification (TOTP) enabled must also send `totp`; without it "
    "the answer is 401 with code `totp_required`, with a wrong or reused code 401 "
    "`unauthorized`.")
document("/auth/logout", "post", "Revoke the caller's token", auth=True,
         responses={"200": _json("Revoked", {"type": "object", "required": ["ok"],
                                             "properties": {"ok": {"type": "boolean"}}})})
document("/auth/register", "post", "Register a citizen account", body={
    "type": "object", "required": ["full_name", "phone", "password", "consents"],
    "properties": {"full_name": {"type": "string"}, "phone": {"type": "string"},
                   "email": {"type": "string"}, "password": {"type": "string"},
                   "cccd": {"type": "string"}, "address": {"type": "string"},
                   "consents": {"type": "object"}}},
    responses={"201": _json("The new account", _USER)})
document("/me/calendar-token", "post", "A new personal calendar feed URL", auth=True,
         responses={"200": _json("The feed URL", {
             "type": "object", "required": ["url"],
             "properties": {"url": {"type": "string", "format": "uri"}}})})
