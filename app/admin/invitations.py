"""Invitation links for staff: signed, valid for 7 days, usable until a password is set."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from sessions.errors import N_, CoreError

from ..auth.models import User
from ..extensions import db
from ..notify.services import queue_notification

SALT = "invite"
MAX_AGE_DAYS = 7
MAX_AGE = MAX_AGE_DAYS * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def invitation_token(user: User) -> str:
    """A signed token naming the person and the e-mail address invited."""
    return _serializer().dumps([user.id, user.email])


def invited_user(token: str) -> User:
    """The person a valid, unexpired, unused invitation token names; else a CoreError."""
    invalid = CoreError("invite_invalid", N_("Liên kết mời không hợp lệ. Vui lòng kiểm tra lại "
                                             "đường liên kết trong email."))
    if not isinstance(token, str) or len(token) > 500:
        raise invalid
    try:
        value = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise CoreError("invite_expired", N_("Liên kết mời đã hết hạn (sau {days} ngày). Vui "
                                             "lòng đề nghị quản trị viên gửi lại lời mời."),
                        days=MAX_AGE_DAYS) from None
    except BadSignature:
        raise invalid from None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise invalid
    user = db.session.get(User, value[0])
    if user is None or user.email != value[1] or not user.is_active_account:
        raise invalid
    if user.password_hash:
        raise CoreError("invite_used", N_("Liên kết mời này đã được sử dụng. Vui lòng đăng nhập "
                                          "bằng mật khẩu bạn đã đặt."))
    return user


def invitation_url(user: User) -> str:
    """The absolute address of the page where the person sets a password."""
    token = invitation_token(user)
    site = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if has_request_context():
        return (site + url_for("admin.accept_invite", token=token) if site
                else url_for("admin.accept_invite", token=token, _external=True))
    server = current_app.config.get("SERVER_NAME") or "localhost"
    path = current_app.url_map.bind(server).build("admin.accept_invite", {"token": token})
    return (site or f"http://{server}") + path


def send_invitation(user: User) -> None:
    """Queue the invitation e-mail (in the caller's transaction)."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Lời mời tham gia hệ thống %(site)s", site=current_app.config["SITE_NAME"])
        body = "\n".join([
            _("Xin chào %(name)s,", name=user.full_name), "",
            _("Quản trị viên đã tạo cho bạn một tài khoản cán bộ trên hệ thống %(site)s.",
              site=current_app.config["SITE_NAME"]),
            _("Vui lòng mở liên kết dưới đây để đặt mật khẩu và đăng nhập:"), "",
            invitation_url(user), "",
            _("Liên kết có hiệu lực trong %(days)s ngày và chỉ dùng được một lần.",
              days=MAX_AGE_DAYS),
            _("Nếu bạn không đề nghị tạo tài khoản, xin hãy bỏ qua email này."), "",
            _("Xin trân trọng cảm ơn."),
        ])
    queue_notification(user, "staff_invitation", subject, body)
