"""Web pages: log in, register (with its phone check), forgotten password, log out, the
citizen's own profile."""

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
from ..doors import attempt, refuse, rollback, show_refusal
from ..extensions import db, limiter
from ..i18n import core_message
from ..web import safe_next
from . import recovery, services, throttle, totp, vneid, websessions
from .forms import (
    LoginForm,
    PasswordForm,
    PhoneCheckForm,
    PhoneResendForm,
    ProfileForm,
    RegisterForm,
    ResetConfirmForm,
    ResetRequestForm,
    TotpConfirmForm,
    TotpEnableForm,
    TotpLoginForm,
)
from .models import User
from .start import start_page

bp = Blueprint("auth", __name__)
_PENDING = "totp_pending"
_SETUP = "totp_setup"
_RESET_NAME = "reset_username"
_PHONE_CHECK = "phone_check"
#: Between the redirect to VNeID and its callback: state, nonce, PKCE verifier, when.
_OIDC = "oidc_pending"
#: A VNeID identity whose ID number has a password account: linked at its next login.
_LINK = "oidc_link"
#: How long that identity waits for the password login.
LINK_SECONDS = 600
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
    target = _safe_next("")  # empty: the role's start page once signed in
    if user.totp_enabled and code is None:
        # Not signed in yet: the second step asks for the code.
        _fresh_session()
        session[_PENDING] = {"uid": user.id, "at": int(time.time()),
                             "remember": bool(form.remember.data), "next": target}
        return redirect(url_for("auth.login_totp"))
    link = _pending_link()
    websessions.sign_in(user, remember=bool(form.remember.data))
    if link is not None and vneid.link_account(user, link):
        flash(_("Đã liên kết tài khoản với VNeID. Lần sau bạn có thể đăng nhập bằng VNeID."),
              "success")
    return redirect(target or start_page(user))


def _pending_link() -> vneid.Identity | None:
    """The VNeID identity waiting for its password login, if still fresh."""
    pending = session.get(_LINK)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > LINK_SECONDS:
        return None
    return vneid.Identity.from_dict(pending)


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
            return redirect(safe_next(pending.get("next"), start_page(user)))
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
            user = recovery.register_citizen_checked(data)
        except CoreError as exc:
            refuse(exc, form, {"consents": "consent_data"})
            # Already an account: a way to it instead of a dead end. The page says no
            # more than the refusal does (the phone or the e-mail is taken).
            exists = getattr(exc.errors.get("phone"), "code", "") == "account_exists"
        else:
            if not user.is_active:  # PHONE_CHECK: the code sent by SMS activates it
                session[_PHONE_CHECK] = user.phone
                flash(_("Chúng tôi đã gửi mã xác nhận tới số điện thoại của bạn. Nhập mã "
                        "để hoàn tất đăng ký."), "info")
                return redirect(url_for("auth.register_confirm"))
            websessions.sign_in(user)
            flash(_("Đăng ký thành công. Chào mừng bạn!"), "success")
            return redirect(_safe_next(url_for("main.home")))
    return render_template("auth/register.html", form=form, account_exists=exists,
                           forgot_url=url_for("auth.password_reset"))


@bp.route("/register/confirm", methods=["GET", "POST"])
@throttle.code_tries(methods=["POST"])
def register_confirm():
    """PHONE_CHECK: the code sent by SMS at registration activates the account."""
    form = PhoneCheckForm(username=session.get(_PHONE_CHECK))
    if form.validate_on_submit():
        user = recovery.confirm_phone(form.data)
        if user is not None:
            session.pop(_PHONE_CHECK, None)
            websessions.sign_in(user)
            flash(_("Đã xác nhận số điện thoại. Đăng ký thành công. Chào mừng bạn!"), "success")
            return redirect(url_for("main.home"))
        show_refusal(recovery.wrong_code(), form)
    return render_template("auth/register_confirm.html", form=form)


@bp.post("/register/confirm/resend")
@throttle.code_requests()
def register_resend():
    form = PhoneResendForm()
    if form.validate_on_submit():
        recovery.resend_phone_code(form.data)
        session[_PHONE_CHECK] = form.username.data.strip()
    flash(_("Nếu số điện thoại này đang chờ xác nhận, một mã mới đã được gửi tới nó."), "info")
    return redirect(url_for("auth.register_confirm"))


@bp.route("/password-reset", methods=["GET", "POST"])
@throttle.code_requests(methods=["POST"])
def password_reset():
    """Forgotten password, first step: the same answer whether the account exists or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        recovery.request_password_reset(form.data)
        session[_RESET_NAME] = form.username.data.strip()
        flash(_("Nếu tài khoản tồn tại, mã xác nhận đã được gửi tới số điện thoại của tài "
                "khoản (hoặc email nếu tài khoản không có số điện thoại). Mã có hiệu lực "
                "trong 10 phút."), "info")
        return redirect(url_for("auth.password_reset_confirm"))
    return render_template("auth/password_reset.html", form=form)


@bp.route("/password-reset/confirm", methods=["GET", "POST"])
@throttle.code_tries(methods=["POST"])
def password_reset_confirm():
    """Forgotten password, second step: the code and the new password."""
    form = ResetConfirmForm(username=session.get(_RESET_NAME))
    if form.validate_on_submit():
        refusal = recovery.confirm_password_reset(form.data)
        if refusal is None:
            session.pop(_RESET_NAME, None)
            flash(_("Đã đặt lại mật khẩu. Mọi phiên đăng nhập cũ đã kết thúc. Vui lòng đăng "
                    "nhập bằng mật khẩu mới."), "success")
            return redirect(url_for("auth.login"))
        show_refusal(refusal, form)
    return render_template("auth/password_reset_confirm.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":  # numbers stay out of the page; blank keeps them
        form.cccd.data = form.passport.data = None
    password_form = PasswordForm(prefix="pw")
    if form.validate_on_submit() and "save-profile" in request.form:
        if attempt(services.update_profile, current_user, form.data)[1]:
            flash(_("Đã lưu thông tin."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, password_form=password_form,
                           has_id_number=bool(current_user.cccd))


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


# --- sign-in with VNeID (CONTRACT §7, docs/vneid.md) ------------------------------------

def _callback_url() -> str:
    """The redirect URI registered with the provider: on SITE_URL when it is set."""
    site = (current_app.config.get("SITE_URL") or "").rstrip("/")
    path = url_for("auth.oidc_callback")
    return site + path if site else url_for("auth.oidc_callback", _external=True)


def _oidc_failed(exc: CoreError):
    """The error page of a sign-in with VNeID that did not succeed; nobody is signed in
    and the failure is audited."""
    rollback()
    record_event("vneid_failed", target="oidc", reason=exc.code,
                 address=request.remote_addr or "")
    return render_template("auth/oidc_error.html", message=core_message(exc),
                           code=exc.code), exc.status


@bp.get("/auth/oidc/login")
@limiter.limit("20 per 15 minutes")
def oidc_login():
    """Off to the provider, with a fresh state, nonce and PKCE verifier in the session."""
    from . import oidc  # the OpenID client (and its crypto) loads only when used

    if not oidc.enabled():
        abort(404)
    try:
        url, pending = oidc.begin(_callback_url())
    except CoreError as exc:
        return _oidc_failed(exc)
    session[_OIDC] = {**pending.to_dict(), "next": _safe_next("")}
    return redirect(url)


@bp.get("/auth/oidc/callback")
@limiter.limit("20 per 15 minutes")
def oidc_callback():
    """The provider's answer: checked, then the citizen is signed in (or asked to link)."""
    from . import oidc

    if not oidc.enabled():
        abort(404)
    stored = session.pop(_OIDC, None)  # one use: a replayed callback finds nothing
    config = current_app.config
    try:
        claims = oidc.finish(oidc.Pending.from_dict(stored), request.args, _callback_url())
        identity = vneid.identity_from_claims(
            claims, oidc.issuer(), id_claim=config["OIDC_CLAIM_ID_NUMBER"],
            name_claim=config["OIDC_CLAIM_NAME"], phone_claim=config["OIDC_CLAIM_PHONE"])
        user = vneid.sign_in_with_vneid(identity)
    except CoreError as exc:
        if exc.code != "oidc_link_required":
            return _oidc_failed(exc)
        rollback()
        record_event("vneid_link_asked", target="oidc", address=request.remote_addr or "")
        session[_LINK] = {**identity.to_dict(), "at": int(time.time())}
        flash(core_message(exc), "info")
        return redirect(url_for("auth.login"))
    websessions.sign_in(user)
    return redirect(safe_next(stored.get("next"), start_page(user)))
