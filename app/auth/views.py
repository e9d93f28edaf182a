"""Web pages: log in, register, log out, the citizen's own profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..i18n import core_message
from . import services
from .forms import LoginForm, PasswordForm, ProfileForm, RegisterForm

bp = Blueprint("auth", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session on login (no fixation)
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(url_for("main.home")))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng. Sau %(n)s lần nhập sai liên tiếp, "
                "tài khoản sẽ bị tạm khóa %(m)s phút.", n=services.LOCK_AFTER,
                m=services.LOCK_MINUTES), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("full_name", "phone", "email", "cccd", "address",
                                          "password")}
        data["consents"] = {"data_processing": form.consent_data.data,
                            "recording": form.consent_recording.data}
        try:
            user = services.register_citizen(data)
        except services.FieldErrors as exc:
            db.session.rollback()
            for field, error in exc.errors.items():
                target = form.consent_data if field == "consents" else form[field]
                target.errors = [*target.errors, core_message(error)]
        else:
            db.session.commit()
            login_user(user)
            flash(_("Đăng ký thành công. Chào mừng bạn!"), "success")
            return redirect(_safe_next(url_for("main.home")))
    return render_template("auth/register.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = PasswordForm(prefix="pw")
    if form.validate_on_submit() and "save-profile" in request.form:
        error = services.update_profile(current_user, form.data)
        if error is None:
            db.session.commit()
            flash(_("Đã lưu thông tin."), "success")
            return redirect(url_for("auth.profile"))
        db.session.rollback()
        flash(core_message(error), "danger")
    return render_template("auth/profile.html", form=form, password_form=password_form)


@bp.post("/profile/password")
@login_required
def change_password():
    form = PasswordForm(prefix="pw")
    if not form.validate_on_submit():
        flash(_("Vui lòng nhập đủ mật khẩu hiện tại và mật khẩu mới."), "danger")
    else:
        error = services.change_password(current_user, form.current.data, form.new.data)
        if error:
            flash(error if isinstance(error, str) else core_message(error), "danger")
        else:
            db.session.commit()
            flash(_("Đã đổi mật khẩu."), "success")
    return redirect(url_for("auth.profile"))
