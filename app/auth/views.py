"""Web pages: log in, register, log out, the citizen's own profile."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sessions.errors import CoreError

from ..audit.services import record_event
from ..doors import attempt, refuse
from ..extensions import db, limiter
from ..web import safe_next
from . import services, totp, websessions
from .forms import (
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    TotpConfirmForm,
    TotpEnableForm,
    TotpLoginForm,
)
from .models import User

bp = Blueprint("auth", __name__)
_PENDING = "totp_pending"
_SETUP = "totp_setup"
# How long the second step of a login waits for the code.
PENDING_SECONDS = 300


def _safe_next(default: str) -> str:
    return safe_next(request.args.get("next"), default)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    code = (form.code.data or "").strip() or None
    try:
        user = services.attempt_login(form.username.data, form.password.data,
                                      address=request.remote_addr or "", code=code, where="web")
    except services.Throttled as exc:
        return _throttled(form, exc.seconds)
    if user is None:
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "danger")
        return render_template("auth/login.html", form=form)
    target = _safe_next(url_for("main.home"))
    if user.totp_enabled and code is None:
        # Not signed in yet: the second step asks for the code.
        _fresh_session()
        session[_PENDING] = {"uid": user.id, "at": int(time.time()),
                             "remember": bool(form.remember.data), "next": target}
        return redirect(url_for("auth.login_totp"))
    websessions.sign_in(user, remember=bool(form.remember.data))
    return redirect(target)


def _throttled(form: LoginForm, seconds: int):
    """429: this address failed too often for this account; the form asks for the
    two-step code too, which lets staff with TOTP in."""
    minutes = max(1, -(-seconds // 60))
    flash(_("Bạn đã nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau %(m)s phút. "
            "Nếu bạn bật xác thực hai bước, hãy nhập kèm mã xác thực.", m=minutes), "danger")
    return render_template("auth/login.html", form=form, throttled=True), 429, \
        {"Retry-After": str(seconds)}


def _fresh_session() -> None:
    """Nothing set before login survives it (no fixation), but the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _pending_user() -> User | None:
    pending = session.get(_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["uid"])
    return user if user is not None and user.is_active and user.totp_enabled else None


@bp.route("/login/totp", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def login_totp():
    """The second step of a login with TOTP: the session is signed in only after it."""
    user = _pending_user()
    if user is None:
        session.pop(_PENDING, None)
        flash(_("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."), "warning")
        return redirect(url_for("auth.login"))
    form = TotpLoginForm()
    if form.validate_on_submit():
        ok = totp.check_second_factor(user, form.code.data, where="web")
        if not ok:
            services.second_factor_failed(user, request.remote_addr or "")
        else:
            services.complete_login(user, second_factor="totp")
            pending = session[_PENDING]
            websessions.sign_in(user, remember=bool(pending.get("remember", False)))
            return redirect(safe_next(pending.get("next"), url_for("main.home")))
        form.code.errors = [*form.code.errors, _("Mã xác thực không đúng hoặc đã được dùng.")]
    return render_template("auth/totp_login.html", form=form)


@bp.post("/logout")
def logout():
    websessions.sign_out()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form, exists = RegisterForm(), False
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("full_name", "phone", "email", "cccd", "address",
                                          "password")}
        data["consents"] = {"data_processing": form.consent_data.data,
                            "recording": form.consent_recording.data}
        try:
            user = services.register_citizen(data)
        except CoreError as exc:
            refuse(exc, form, {"consents": "consent_data"})
            # Already an account: a way to it instead of a dead end. The page says no
            # more than the refusal does (the phone or the e-mail is taken).
            exists = getattr(exc.errors.get("phone"), "code", "") == "account_exists"
        else:
            websessions.sign_in(user)
            flash(_("Đăng ký thành công. Chào mừng bạn!"), "success")
            return redirect(_safe_next(url_for("main.home")))
    return render_template("auth/register.html", form=form, account_exists=exists,
                           forgot_url=url_for("auth.forgot_password")
                           if "auth.forgot_password" in current_app.view_functions else None)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = PasswordForm(prefix="pw")
    if form.validate_on_submit() and "save-profile" in request.form:
        if attempt(services.update_profile, current_user, form.data)[1]:
            flash(_("Đã lưu thông tin."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, password_form=password_form)


@bp.post("/profile/password")
@login_required
def change_password():
    form = PasswordForm(prefix="pw")
    if not form.validate_on_submit():
        flash(_("Vui lòng nhập đủ mật khẩu hiện tại và mật khẩu mới."), "danger")
    elif attempt(services.change_password, current_user, form.current.data, form.new.data,
                 keep_login=websessions.current_login_id())[1]:
        websessions.keep_signed_in(current_user)
        flash(_("Đã đổi mật khẩu. Bạn đã được đăng xuất khỏi các thiết bị khác."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out everywhere else: every other browser and every API token of the person."""
    services.end_other_sessions(current_user, keep_login=websessions.current_login_id())
    websessions.keep_signed_in(current_user)
    flash(_("Đã đăng xuất khỏi mọi thiết bị và ứng dụng khác."), "success")
    return redirect(url_for("auth.profile"))


def _no_store(html: str):
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_only() -> None:
    if not totp.eligible(current_user):
        abort(403)


@bp.get("/profile/security")
@login_required
def security():
    """Two-step verification settings of a staff member."""
    _staff_only()
    return render_template("auth/security.html", renew_form=TotpConfirmForm(prefix="renew"),
                           off_form=TotpConfirmForm(prefix="off"),
                           remaining=totp.remaining_recovery_codes(current_user))


@bp.route("/profile/security/totp", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"])
def totp_enable():
    _staff_only()
    if current_user.totp_enabled:
        flash(_("Xác thực hai bước đang bật."), "info")
        return redirect(url_for("auth.security"))
    secret = totp.decrypt_secret(session.get(_SETUP) or "")
    if secret is None:
        secret = totp.new_secret()
        session[_SETUP] = totp.encrypt_secret(secret)
    form = TotpEnableForm()
    if form.validate_on_submit():
        codes = totp.enable(current_user, secret, form.code.data)
        if codes is not None:
            session.pop(_SETUP, None)
            flash(_("Đã bật xác thực hai bước."), "success")
            return _no_store(render_template("auth/totp_recovery_codes.html", codes=codes))
        form.code.errors = [*form.code.errors, _("Mã xác thực không đúng. Kiểm tra giờ trên "
                                                 "điện thoại và nhập mã mới nhất.")]
    uri = totp.provisioning_uri(current_user, secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return _no_store(render_template("auth/totp_enable.html", form=form, secret=grouped,
                                     qr=totp.qr_data_uri(uri)))


def _confirmed(form: TotpConfirmForm) -> bool:
    """Password and a current code (or recovery code) of the signed-in staff member."""
    if not form.validate_on_submit():
        flash(_("Vui lòng nhập mật khẩu và mã xác thực."), "danger")
        return False
    if not services.check_password(current_user, form.password.data):
        flash(_("Mật khẩu không đúng."), "danger")
        return False
    if not totp.check_second_factor(current_user, form.code.data, where="settings"):
        flash(_("Mã xác thực không đúng hoặc đã được dùng."), "danger")
        return False
    return True


@bp.post("/profile/security/totp/disable")
@login_required
@limiter.limit("10 per 15 minutes")
def totp_disable():
    _staff_only()
    if not current_user.totp_enabled:
        return redirect(url_for("auth.security"))
    if _confirmed(TotpConfirmForm(prefix="off")):
        totp.disable(current_user, actor=current_user)
        flash(_("Đã tắt xác thực hai bước."), "success")
    return redirect(url_for("auth.security"))


@bp.post("/profile/security/recovery-codes")
@login_required
@limiter.limit("10 per 15 minutes")
def recovery_codes():
    _staff_only()
    if not current_user.totp_enabled:
        return redirect(url_for("auth.security"))
    if not _confirmed(TotpConfirmForm(prefix="renew")):
        return redirect(url_for("auth.security"))
    codes = totp.new_recovery_codes(current_user)
    record_event("totp_recovery_codes", actor=current_user, target=f"user:{current_user.id}")
    return _no_store(render_template("auth/totp_recovery_codes.html", codes=codes))
