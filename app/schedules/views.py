"""Web pages of schedules: the public schedule and a session's page (with staff actions).

The secretaries' pages (schedules, ad-hoc sessions, compliance, holidays) are in
manage_views.py, on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sessions.errors import CoreError
from sessions.paging import page_number

from ..auth.access import has_unit_role
from ..doors import refuse
from ..extensions import db
from ..i18n import core_message
from ..timeutil import utcnow
from . import pages, services
from .availability import free_counts, is_bookable, session_slots
from .forms import CancelForm, DeputyForm, as_choices
from .models import ReceptionSession
from .pagecache import cached_public_page
from .receptions import KIND_LABELS, MODE_LABELS

bp = Blueprint("schedules", __name__)


@bp.context_processor
def _labels():
    return {"mode_labels": MODE_LABELS, "kind_labels": KIND_LABELS}


def flash_warnings(warnings) -> None:
    for warning in warnings:
        flash(core_message(warning), "warning")


@bp.get("/lich-tiep")
@cached_public_page
def public_index():
    view = request.args.get("view") if request.args.get("view") in pages.VIEWS else "week"
    span = pages.period(view, pages.parse_day(request.args.get("date")))
    choice = pages.public_choice(request.args.get("province"), request.args.get("commune"))
    page, counts = pages.sessions_by_day(choice.unit_ids, span,
                                         page_number(request.args.get("page")))
    return render_template("schedules/public_index.html", span=span, choice=choice,
                           days=page.days, page=page, counts=counts, now=utcnow(),
                           is_bookable=is_bookable)


def _reception_or_404(session_id: int) -> ReceptionSession:
    reception = db.session.get(ReceptionSession, session_id)
    if reception is None or reception.published_at > utcnow():
        abort(404)
    return reception


def _can_manage(reception: ReceptionSession) -> bool:
    return current_user.is_authenticated and has_unit_role(current_user, reception.unit,
                                                           "secretary")


def _render_session(reception, cancel_form=None, deputy_form=None, status=200):
    deputy_form = deputy_form or DeputyForm(prefix="deputy")
    deputy_form.deputy_id.choices = as_choices({"": _("— Chủ tịch chủ trì —"),
                                                **pages.deputy_choices(reception)})
    return render_template(
        "schedules/session.html", reception=reception, slots=session_slots(reception),
        counts=free_counts([reception])[reception.id], can_manage=_can_manage(reception),
        bookable=is_bookable(reception), cancel_form=cancel_form or CancelForm(prefix="cancel"),
        deputy_form=deputy_form), status


@bp.get("/lich-tiep/buoi/<int:session_id>")
def session_detail(session_id: int):
    return _render_session(_reception_or_404(session_id))


def _managed_reception(session_id: int) -> ReceptionSession:
    reception = _reception_or_404(session_id)
    if not _can_manage(reception):
        abort(403)
    return reception


@bp.post("/lich-tiep/buoi/<int:session_id>/huy")
@login_required
def cancel(session_id: int):
    reception = _managed_reception(session_id)
    form = CancelForm(prefix="cancel")
    try:
        count = services.cancel_session(reception, form.reason.data, current_user)
    except CoreError as exc:
        if exc.code == "invalid_state":
            refuse(exc)
            return redirect(url_for(".session_detail", session_id=session_id))
        refuse(exc, form)
        return _render_session(reception, cancel_form=form, status=422)
    flash(_("Đã hủy buổi tiếp; %(n)s lượt đặt đã được hủy và công dân được thông báo.",
            n=count), "success")
    return redirect(url_for(".session_detail", session_id=session_id))


@bp.post("/lich-tiep/buoi/<int:session_id>/chu-tri-thay")
@login_required
def deputy(session_id: int):
    reception = _managed_reception(session_id)
    form = DeputyForm(prefix="deputy")
    try:
        services.assign_deputy(reception, form.deputy_id.data or None, form.authorisation.data,
                               current_user)
    except CoreError as exc:
        if exc.code == "invalid_state":
            refuse(exc)
            return redirect(url_for(".session_detail", session_id=session_id))
        refuse(exc, form)
        return _render_session(reception, deputy_form=form, status=422)
    flash(_("Đã cập nhật người chủ trì buổi tiếp."), "success")
    return redirect(url_for(".session_detail", session_id=session_id))


from . import manage_views  # noqa: E402,F401  (adds the secretaries' pages to bp)
