"""/diem-cau: the desk of a reception point's operator (phone-first pages)."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.decorators import roles_required
from ..bookings.queries import slot_options
from ..doors import attempt
from ..extensions import db
from ..points.services import operator_points, serves
from ..schedules.models import ReceptionSession
from ..timeutil import utcnow
from . import services
from .forms import AssistedBookingForm

bp = Blueprint("pointdesk", __name__, url_prefix="/diem-cau")


@bp.app_context_processor
def _console_link():
    def point_console_url(session_id: int) -> str | None:
        """The point's call console of the live side, when this build has it."""
        if "live.point_console" not in current_app.view_functions:
            return None
        return url_for("live.point_console", session_id=session_id)
    return {"point_console_url": point_console_url}


@bp.get("/")
@roles_required("operator")
def index():
    points = operator_points(current_user)
    return render_template("pointdesk/index.html", points=points,
                           sessions=services.desk(points, current_user, utcnow()))


@bp.post("/bookings/<int:booking_id>/check-in")
@roles_required("operator")
def check_in(booking_id: int):
    booking = services.desk_booking(booking_id, current_user) or abort(404)
    ticket, ok = attempt(services.check_in, booking, actor=current_user, now=utcnow())
    if ok:
        flash(_("Đã đưa công dân vào hàng chờ, số thứ tự %(ticket)s.", ticket=ticket or "—"),
              "success")
    return redirect(url_for("pointdesk.index"))


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@roles_required("operator")
def book(session_id: int):
    reception = db.session.get(ReceptionSession, session_id)
    points = [p for p in operator_points(current_user) if reception and serves(p, reception)]
    if not points:
        abort(404)
    form = _booking_form(reception, points)
    if form.validate_on_submit():
        point = next(p for p in points if p.id == form.point.data)
        booking, ok = attempt(services.book_for_citizen, point, _booking_data(form, session_id),
                              form=form, aliases=ALIASES, actor=current_user, now=utcnow(),
                              idempotency_key="desk:" + (form.form_token.data or "")[:100])
        if ok:
            flash(_("Đã đặt lịch cho công dân %(name)s: mã tra cứu %(code)s.",
                    name=booking.assisted_name, code=booking.tracking_code), "success")
            return redirect(url_for("pointdesk.index"))
    if not form.form_token.data:
        form.form_token.data = secrets.token_urlsafe(18)
    return render_template("pointdesk/book.html", form=form, reception=reception)


#: The booking service's fields as named on the desk's form.
ALIASES = {"matter.type": "matter_type", "matter.field": "matter_field",
           "matter.summary": "summary", "consents.recording": "consents_confirmed",
           "consents.online_denunciation_risk": "consents_confirmed",
           "join_from": "point", "session_id": "slot_start"}


def _booking_form(reception, points) -> AssistedBookingForm:
    form = AssistedBookingForm()
    form.point.choices = [SelectChoice(p.id, p.name) for p in points]
    form.slot_start.choices = [SelectChoice("", _("Khung giờ trống sớm nhất"))] + [
        SelectChoice(s["start"], s["start"][11:16]) for s in slot_options(reception)
        if s["free"]]
    return form


def _booking_data(form: AssistedBookingForm, session_id: int) -> dict:
    return {"session_id": session_id, "slot_start": form.slot_start.data or None,
            "full_name": form.full_name.data, "phone": form.phone.data,
            "address": form.address.data, "cccd": form.cccd.data,
            "matter": {"type": form.matter_type.data, "field": form.matter_field.data,
                       "summary": form.summary.data},
            "consents_confirmed": bool(form.consents_confirmed.data)}
