"""Web pages of bookings: the citizen's booking flow, tracking and the secretaries' triage.

This module holds the blueprint, the citizen's own pages (my bookings, a booking,
cancel, reschedule, invitation, files, rating) and the public tracking page; the
booking flow is in :mod:`.wizard` and triage in :mod:`.triage_views`.
"""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sessions.errors import CoreError
from sessions.paging import page_number, page_of_days

from ..doors import attempt, refuse
from ..extensions import db, limiter
from . import papers, queries, services
from .access import can_manage, can_view, is_owner, reveal
from .forms import (
    MATTER_FIELD_LABELS,
    MATTER_TYPE_HINTS,
    MATTER_TYPE_LABELS,
    STATUS_LABELS,
    STATUS_STYLES,
    TYPE_CHOICE_HINTS,
    TYPE_CHOICE_LABELS,
    ConfirmForm,
    RatingForm,
    RescheduleForm,
    TrackForm,
    as_choices,
)
from .messages import read_link
from .models import Attachment, Booking, Rating
from .next_steps import next_steps
from .occupants import provide_to_schedules
from .tracking import find_tracked, limit_failed_lookups, tracking_dict
from .uploads import MAX_FILES, add_attachment, attachment_path

bp = Blueprint("bookings", __name__)
# A session's cancellation or move reaches its bookings (app/schedules/occupants.py).
bp.record_once(lambda state: provide_to_schedules(state.app))


@bp.app_context_processor
def _labels():
    return {"status_labels": STATUS_LABELS, "status_styles": STATUS_STYLES,
            "matter_type_labels": MATTER_TYPE_LABELS, "matter_type_hints": MATTER_TYPE_HINTS,
            "matter_field_labels": MATTER_FIELD_LABELS,
            "type_choice_labels": TYPE_CHOICE_LABELS, "type_choice_hints": TYPE_CHOICE_HINTS}


def load_booking(id: int, allowed) -> Booking:
    """The booking (404) if the signed-in person passes ``allowed`` (403)."""
    booking = db.session.get(Booking, id)
    if booking is None:
        abort(404)
    if not allowed(current_user, booking):
        abort(403)
    return booking


def _owner_or_secretary(user, booking) -> bool:
    return is_owner(user, booking) or can_manage(user, booking)


def _after_change(booking: Booking) -> str:
    return url_for("bookings.mine") if is_owner(current_user, booking) \
        else url_for("bookings.triage")


@bp.get("/bookings/mine")
@login_required
def mine():
    return render_template("bookings/mine.html",
                           bookings=queries.citizen_bookings(current_user))


@bp.get("/bookings/<int:id>")
@login_required
def detail(id: int):
    booking = load_booking(id, is_owner)
    rated = db.session.scalar(db.select(Rating.id).where(Rating.booking_id == id)) is not None
    return render_template("bookings/detail.html", booking=booking, rating_form=RatingForm(),
                           rated=rated, max_files=MAX_FILES,
                           position=services.waitlist_position(booking))


@bp.get("/bookings/<int:id>/done")
@login_required
def done(id: int):
    booking = load_booking(id, is_owner)
    return render_template("bookings/done.html", booking=booking,
                           position=services.waitlist_position(booking),
                           steps=next_steps(booking))


@bp.get("/bookings/<int:id>/receipt")
@login_required
def receipt(id: int):
    """The printable receipt (giấy biên nhận) of one's own booking."""
    booking = load_booking(id, is_owner)
    return render_template("bookings/receipt.html", booking=booking,
                           steps=next_steps(booking))


@bp.route("/bookings/<int:id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(id: int):
    booking = load_booking(id, _owner_or_secretary)
    form = ConfirmForm()
    if form.validate_on_submit():
        if attempt(services.cancel_booking, booking, actor=current_user,
                       reason=form.reason.data or "")[1]:
            flash(_("Đã hủy lịch hẹn. Xin cảm ơn bạn đã báo trước."), "success")
        return redirect(_after_change(booking))
    return render_template("bookings/cancel.html", booking=booking, form=form,
                           action=url_for("bookings.cancel", id=id))


@bp.route("/bookings/<int:id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(id: int):
    booking = load_booking(id, _owner_or_secretary)
    return _reschedule_page(booking, url_for("bookings.reschedule", id=id))


#: Free slots a page of the reschedule list shows at least (whole days: sessions/paging.py).
RESCHEDULE_PAGE_SLOTS = 24


def _reschedule_page(booking: Booking, action: str, actor=None):
    groups = queries.reschedule_options(booking)
    page = page_of_days(queries.by_local_day(groups), page_number(request.args.get("page")),
                        RESCHEDULE_PAGE_SLOTS, weight=queries.free_slot_count)
    form = RescheduleForm()
    form.choice.choices = as_choices((f'{g["reception"].id}|{s["start"]}', s["start"])
                                     for g in groups for s in g["slots"])
    if form.validate_on_submit():
        session_id, _sep, start = form.choice.data.partition("|")
        data = {"session_id": int(session_id), "slot_start": start}
        if attempt(services.reschedule_booking, booking, data,
                       actor=actor or current_user)[1]:
            if actor is not None:  # from a signed link: maybe not signed in
                return render_template("bookings/rescheduled.html", booking=booking)
            flash(_("Đã đổi lịch hẹn. Thông báo mới đã được gửi đến bạn."), "success")
            return redirect(_after_change(booking))
    shown = [group for _day, day_groups in page.days for group in day_groups]
    return render_template("bookings/reschedule.html", booking=booking, form=form,
                           groups=shown, page=page, action=action,
                           page_url=lambda n: url_for(request.endpoint, page=n,
                                                      **request.view_args))


@bp.route("/bookings/link/<action>/<token>", methods=["GET", "POST"])
def signed_action(action: str, token: str):
    """Cancel or reschedule from a link in a message, without signing in."""
    found = read_link(token, action)
    booking = db.session.get(Booking, found[0]) if found else None
    if booking is None or booking.ics_sequence != found[1] or not booking.is_open:
        return render_template("bookings/link_expired.html"), 404
    here = url_for("bookings.signed_action", action=action, token=token)
    if action == "reschedule":
        return _reschedule_page(booking, here, actor=booking.citizen)
    form = ConfirmForm()
    if form.validate_on_submit():
        if attempt(services.cancel_booking, booking, actor=booking.citizen,
                       reason=form.reason.data or "")[1]:
            return render_template("bookings/cancelled.html", booking=booking)
    return render_template("bookings/cancel.html", booking=booking, form=form, action=here)


@bp.post("/bookings/<int:id>/files")
@login_required
def upload(id: int):
    booking = load_booking(id, is_owner)
    if attempt(add_attachment, booking, request.files.get("file"), actor=current_user)[1]:
        flash(_("Đã tải tài liệu lên."), "success")
    return redirect(url_for("bookings.detail", id=id))


@bp.get("/bookings/<int:id>/files/<int:attachment_id>")
@login_required
def download(id: int, attachment_id: int):
    booking = load_booking(id, can_view)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.booking_id != booking.id:
        abort(404)
    if not reveal(current_user, booking, "attachment"):
        abort(403)
    return send_file(attachment_path(attachment), mimetype=attachment.content_type,
                     as_attachment=True, download_name=attachment.filename, max_age=0)


@bp.post("/bookings/<int:id>/rating")
@login_required
def rate(id: int):
    booking = load_booking(id, is_owner)
    form = RatingForm()
    if not form.validate_on_submit():
        flash(_("Vui lòng chọn mức độ hài lòng."), "danger")
    elif attempt(services.rate_booking, booking, {"score": form.score.data,
                                                      "comment": form.comment.data or ""},
                     actor=current_user)[1]:
        flash(_("Xin cảm ơn bạn đã đánh giá."), "success")
    return redirect(url_for("bookings.detail", id=id))


@bp.get("/track")
@limiter.limit("30 per minute")
@limit_failed_lookups(lambda: request.args.get("code"))
def track():
    form = TrackForm(request.args)
    result, status = None, 200
    if request.args and form.validate():
        booking = find_tracked(form.code.data, form.phone_last4.data)
        if booking is None:
            status = 404  # the same whether the code or the phone is wrong
        else:
            result = tracking_dict(booking)
    return render_template("bookings/track.html", form=form, result=result,
                           not_found=status == 404), status


@bp.get("/bookings/<int:id>/refusal-notice.docx")
@login_required
def refusal_notice_download(id: int):
    """Form 01/TCD for a booking refused on a ground that requires a written notice
    (secretary of the unit); issuing it is recorded on the booking and audited."""
    booking = load_booking(id, can_manage)
    try:
        content = papers.refusal_notice(booking, actor=current_user)
    except CoreError as exc:
        refuse(exc)
        return redirect(url_for("minutes.edit", booking_id=booking.id))
    return send_file(BytesIO(content), as_attachment=True, max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument."
                              "wordprocessingml.document",
                     download_name=papers.refusal_notice_filename(booking))


from . import triage_views, wizard  # noqa: E402,F401  (their routes join bp)
