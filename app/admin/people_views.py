"""The administrators' area: people, their roles and accounts, staff invitations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sessions.errors import CoreError

from ..auth import websessions
from ..auth.decorators import roles_required
from ..auth.models import ROLES, RoleAssignment, User
from ..doors import attempt
from ..extensions import db
from ..i18n import core_message
from ..timeutil import utcnow
from ..web import role_label
from . import invitations, queries, services
from .forms import (
    AcceptInviteForm,
    InviteForm,
    PasswordResetForm,
    PeopleFilterForm,
    PersonForm,
    RoleForm,
)
from .views import bp, host_choices, page_arg, safe_next


@bp.get("/people/")
@roles_required("admin")
def people():
    filters = PeopleFilterForm(request.args)
    args = {"q": (filters.q.data or "").strip(),
            "role": filters.role.data if filters.role.data in ROLES else "",
            "status": filters.status.data if filters.status.data in ("active", "inactive")
            else ""}
    page = queries.search_people(args["q"], args["role"], args["status"], page_arg())
    return render_template("admin/people.html", filters=filters, page=page,
                           args={k: v for k, v in args.items() if v})


@bp.get("/people/<int:user_id>")
@roles_required("admin")
def person(user_id: int):
    user = db.get_or_404(User, user_id)
    role_form = RoleForm(prefix="role")
    role_form.deputy_of.choices = host_choices()
    return render_template("admin/person.html", person=user, role_form=role_form,
                           person_form=PersonForm(obj=user, prefix="person"),
                           password_form=PasswordResetForm(prefix="pw"),
                           is_locked=bool(user.locked_until and user.locked_until
                                          > utcnow()))


def _back(user: User):
    return redirect(url_for("admin.person", user_id=user.id))


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "danger")


@bp.post("/people/<int:user_id>/details")
@roles_required("admin")
def person_details(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PersonForm(prefix="person")
    if not form.validate_on_submit():
        _flash_form_errors(form)
    elif attempt(services.update_person, user, form.data, actor=current_user)[1]:
        flash(_("Đã lưu thông tin của %(name)s.", name=user.full_name), "success")
    return _back(user)


@bp.post("/people/<int:user_id>/roles")
@roles_required("admin")
def person_grant_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix="role")
    form.deputy_of.choices = host_choices()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        data = {**form.data, "deputy_of": form.deputy_of.data or None}
        if attempt(services.grant_role, user, data, actor=current_user)[1]:
            flash(_("Đã cấp vai trò %(role)s.", role=role_label(form.role.data)), "success")
    return _back(user)


@bp.post("/roles/<int:role_id>/revoke")
@roles_required("admin")
def revoke_role(role_id: int):
    assignment = db.get_or_404(RoleAssignment, role_id)
    user, role = assignment.user, role_label(assignment.role)
    if attempt(services.revoke_role, assignment, actor=current_user)[1]:
        flash(_("Đã gỡ vai trò %(role)s của %(name)s.", role=role, name=user.full_name),
              "success")
    return redirect(safe_next(url_for("admin.person", user_id=user.id)))


_ACCOUNT_ACTIONS = {
    "deactivate": (services.deactivate_user, _l("Đã khóa tài khoản.")),
    "reactivate": (services.reactivate_user, _l("Đã mở lại tài khoản.")),
    "unlock": (services.unlock_user, _l("Đã mở khóa đăng nhập.")),
    "resend-invite": (services.resend_invitation, _l("Đã gửi lại thư mời.")),
    "reset-totp": (services.reset_totp, _l("Đã tắt xác thực hai bước của tài khoản.")),
}


@bp.post("/people/<int:user_id>/<any(deactivate, reactivate, unlock, 'resend-invite', 'reset-totp'):action>")
@roles_required("admin")
def account_action(user_id: int, action: str):
    user = db.get_or_404(User, user_id)
    service, message = _ACCOUNT_ACTIONS[action]
    if attempt(service, user, actor=current_user)[1]:
        flash(str(message), "success")
    return _back(user)


@bp.post("/people/<int:user_id>/password")
@roles_required("admin")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm(prefix="pw")
    if not form.validate_on_submit():
        _flash_form_errors(form)
    elif attempt(services.reset_password, user, form.password.data, actor=current_user)[1]:
        flash(_("Đã đặt mật khẩu tạm thời. Hãy báo cho người dùng đổi mật khẩu sau khi đăng "
                "nhập."), "success")
    return _back(user)


@bp.route("/people/invite", methods=["GET", "POST"])
@roles_required("admin")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        user, ok = attempt(services.invite_staff, form.data, form=form, actor=current_user)
        if ok:
            flash(_("Đã gửi thư mời đến %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.person", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Public: the invited person sets a password and is signed in."""
    try:
        invited = invitations.invited_user(token)
    except CoreError as exc:
        return render_template("admin/accept_invite.html", problem=core_message(exc)), 410
    form = AcceptInviteForm()
    if form.validate_on_submit():
        user, ok = attempt(services.accept_invitation, token, form.password.data,
                               form=form)
        if ok:
            websessions.sign_in(user)  # a fresh session (no fixation)
            flash(_("Đã đặt mật khẩu. Chào mừng %(name)s!", name=user.full_name), "success")
            return redirect(url_for("main.home"))
    return render_template("admin/accept_invite.html", form=form, invited=invited)
