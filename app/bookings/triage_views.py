"""The secretaries' triage page: pending bookings of their units' upcoming sessions."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.access import scoped_unit_ids
from ..auth.decorators import roles_required
from ..doors import attempt
from ..extensions import db
from ..rulebook import services as rulebook
from ..units.models import Agency
from . import queries, refusal_notices, services
from .access import (
    attachment_name,
    can_manage,
    citizen_dict,
    representatives,
    reveal,
)
from .forms import ClassifyForm, DecisionForm, as_choices
from .repeats import related_cases, units_in_view
from .views import bp, load_booking

DECISION_MESSAGES = {"accept": _l("Đã tiếp nhận đăng ký."), "refuse": _l("Đã từ chối tiếp."),
                     "redirect": _l("Đã hướng dẫn, chuyển cơ quan có thẩm quyền.")}


def _agencies(booking) -> list[Agency]:
    unit_ids = booking.reception.unit.ancestor_ids()
    return list(db.session.scalars(db.select(Agency).where(
        Agency.unit_id.in_(unit_ids), Agency.is_active.is_(True)).order_by(Agency.code)))


def case_files(booking, visible: bool) -> list[dict]:
    """The case's attachments; names and downloads only to who sees the identity."""
    return [{"id": a.id, "name": attachment_name(a, visible), "size": a.size,
             "content_type": a.content_type, "number": n}
            for n, a in enumerate(booking.attachments, start=1)]


def decision_form(booking) -> DecisionForm:
    """The refuse / redirect choices for one booking."""
    form = DecisionForm()
    # Only grounds judged from the registration: those of the session itself (weapons,
    # disorder...) are for the host's console (Decree 154/2026 Art 4.1.a-d).
    form.ground.choices = as_choices([("", _("— Chọn căn cứ —"))] + [
        (g.code, _(g.text)) for g in rulebook.grounds_on(arises="triage")])
    form.agency.choices = as_choices([("", _("— Chọn cơ quan —"))] + [
        (a.code, a.name) for a in _agencies(booking)])
    return form


@bp.get("/triage")
@roles_required("secretary")
def triage():
    bookings = queries.triage_bookings(scoped_unit_ids(current_user, "secretary"))
    rows, units = [], units_in_view(current_user)
    for booking in bookings:
        visible = reveal(current_user, booking, "triage")
        rows.append({"booking": booking, "citizen": citizen_dict(booking, visible),
                     "representatives": representatives(booking, visible),
                     "files": case_files(booking, visible), "visible": visible,
                     "related": related_cases(booking, current_user, units),
                     "form": decision_form(booking), "classify": ClassifyForm()})
    return render_template("bookings/triage.html", rows=rows,
                           notices=refusal_notices.notices_due(
                               scoped_unit_ids(current_user, "secretary")),
                           notice_link=refusal_notices.download_link)



@bp.post("/triage/<int:id>")
@roles_required("secretary")
def decide(id: int):
    booking = load_booking(id, can_manage)
    form = decision_form(booking)
    if not form.validate_on_submit():
        flash(_("Yêu cầu không hợp lệ. Vui lòng thử lại."), "danger")
        return redirect(url_for("bookings.triage"))
    data = {"decision": form.decision.data, "ground": form.ground.data or "",
            "agency": form.agency.data or "", "note": form.note.data or ""}
    if attempt(services.decide_booking, booking, data, actor=current_user)[1]:
        flash(str(DECISION_MESSAGES.get(form.decision.data, "")), "success")
    return redirect(url_for("bookings.triage"))


@bp.post("/triage/<int:id>/type")
@roles_required("secretary")
def classify(id: int):
    """The secretary sets the type of a matter the citizen was unsure of."""
    booking = load_booking(id, can_manage)
    form = ClassifyForm()
    if not form.validate_on_submit():
        flash(_("Vui lòng chọn loại vụ việc."), "danger")
    elif attempt(services.classify_matter, booking, form.matter_type.data,
                 actor=current_user)[1]:
        flash(_("Đã xác định loại vụ việc."), "success")
    return redirect(url_for("bookings.triage"))
