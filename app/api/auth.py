"""/api/v1/auth: log in, log out, register (with its phone check), password reset;
personal calendar token."""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from sessions.errors import CoreError

from ..auth import recovery, services, throttle
from ..doors import api_error, rollback
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
        user = recovery.register_citizen_checked(json_body())
    except CoreError as exc:
        rollback()
        if "consents" in exc.errors and len(exc.errors) == 1:
            raise ApiError(422, "consent_required", exc.errors["consents"].translated(_),
                           errors={"consents": exc.errors["consents"].translated(_)}) from None
        raise validation_error(exc.errors) from None
    if not user.is_active:  # PHONE_CHECK: the code sent by SMS activates it
        return jsonify({**user.to_dict(), "phone_check": True}), 201
    return jsonify(user.to_dict()), 201


@bp.post("/auth/register/confirm")
@throttle.code_tries()
def register_confirm():
    """The code sent by SMS at registration (PHONE_CHECK) activates the account."""
    user = recovery.confirm_phone(json_body())
    if user is None:  # answered, not raised: the door commits the try used
        return api_error(recovery.wrong_code()).response()
    return jsonify(user.to_dict())


@bp.post("/auth/register/resend")
@throttle.code_requests()
def register_resend():
    """A new phone-check code; the same answer for any username."""
    recovery.resend_phone_code(json_body())
    return jsonify({"ok": True}), 202


@bp.post("/auth/password-reset")
@throttle.code_requests()
def password_reset():
    """CONTRACT §7: 202 whatever the username; a code goes to the account, if any."""
    recovery.request_password_reset(json_body())
    return jsonify({"ok": True}), 202


@bp.post("/auth/password-reset/confirm")
@throttle.code_tries()
def password_reset_confirm():
    refusal = recovery.confirm_password_reset(json_body())
    if refusal is not None:  # answered, not raised: the door commits the try used
        return api_error(refusal).response()
    return jsonify({"ok": True})


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
_OK = {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}
_NAME = {"type": "string", "minLength": 1, "maxLength": 254, "pattern": r"\S"}
_USERNAME = {"type": "object", "required": ["username"],
             "properties": {"username": {**_NAME, "description": "e-mail or phone number"}}}
document("/auth/register/confirm", "post", "Confirm the phone of a new account", body={
    "type": "object", "required": ["username", "code"],
    "properties": {"username": _NAME, "code": _NAME}},
    responses={"200": _json("The account, now active", _USER)},
    description="With PHONE_CHECK on, an account registered with a phone number is active "
                "once the 6-digit code sent to it by SMS is given here (10 minutes, 5 tries); "
                "a wrong or expired code is 422 `validation_error`.")
document("/auth/register/resend", "post", "Send a new phone-check code", body=_USERNAME,
         responses={"202": _json("Accepted (the same answer for any username)", _OK)})
document("/auth/password-reset", "post", "Ask for a password reset code", body=_USERNAME,
         responses={"202": _json("Accepted (the same answer for any username)", _OK)},
         description="A 6-digit code goes by SMS to the account's phone (by e-mail when it "
                     "has none); it lasts 10 minutes and allows 5 tries. A new request "
                     "replaces the previous code. Limited per address and per username (429).")
document("/auth/password-reset/confirm", "post", "Set a new password with the code", body={
    "type": "object", "required": ["username", "code", "password"],
    "properties": {"username": _NAME, "code": _NAME,
                   "password": {**_NAME, "maxLength": 1000}}},
    responses={"200": _json("Reset: every session and token of the person has ended", _OK)},
    description="422 `validation_error` for a wrong or expired code or a weak password.")
document("/me/calendar-token", "post", "A new personal calendar feed URL", auth=True,
         responses={"200": _json("The feed URL", {
             "type": "object", "required": ["url"],
             "properties": {"url": {"type": "string", "format": "uri"}}})})
