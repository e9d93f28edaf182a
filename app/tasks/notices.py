"""Messages about follow-up tasks: to the agency (officers and its mailbox), secretaries,
and the citizen. All go to the outbox in the caller's transaction, with dedupe keys
so that a job running twice sends nothing twice."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from ..auth.models import RoleAssignment, User
from ..bookings.messages import external_url
from ..extensions import db
from ..notify.models import Notification
from ..notify.services import queue_notification
from ..timeutil import utcnow


def link(endpoint: str, **values) -> str:
    """An absolute URL to put in a message ("" if the page does not exist)."""
    try:
        return external_url(endpoint, **values)
    except BuildError:
        return ""


def agency_officers(agency) -> list[User]:
    """The active officers of ``agency`` (its head included: they receive its tasks)."""
    query = (select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(RoleAssignment.role == "officer", RoleAssignment.agency_id == agency.id,
                    User.is_active_account.is_(True)).order_by(User.id).distinct())
    return list(db.session.scalars(query))


def _locale(user) -> str:
    return (user.locale if user is not None and user.locale
            else current_app.config["BABEL_DEFAULT_LOCALE"])


def _mailbox(agency, kind: str, subject: str, body: str, dedupe_key: str) -> None:
    """An e-mail to the agency's own address, at most once per ``dedupe_key``."""
    if not agency.email:
        return
    key = f"{dedupe_key}:agency"
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return
    db.session.add(Notification(user_id=None, channel="email", recipient=agency.email,
                                kind=kind, subject=subject[:300], body=body, dedupe_key=key,
                                send_after=utcnow()))
    db.session.flush()


def task_text(task, kind: str, *, with_code: bool = True) -> tuple[str, str]:
    """(subject, body) of a message of ``kind`` about ``task``, in the current locale.

    Messages to the agency go ``with_code=False``: a tracking code identifies the case
    and, with the phone's last digits, opens its public tracking.
    """
    subjects = {
        "task_assigned": _("Nhiệm vụ mới sau buổi tiếp công dân"),
        "task_reminder": _("Nhắc hạn nhiệm vụ sau tiếp công dân"),
        "task_overdue": _("Nhiệm vụ sau tiếp công dân đã quá hạn"),
        "task_reported": _("Cơ quan đã báo cáo kết quả nhiệm vụ"),
        "task_returned": _("Kết quả nhiệm vụ bị trả lại"),
    }
    case = _("Nhiệm vụ số %(id)s", id=task.id)
    heading = (_("Nhiệm vụ số %(id)s, vụ việc %(code)s.", id=task.id,
                 code=task.booking.tracking_code) if with_code else f"{case}.")
    lines = [heading,
             _("Cơ quan thực hiện: %(agency)s.", agency=task.agency.name),
             _("Nội dung: %(text)s", text=task.description),
             _("Hạn hoàn thành: %(due)s.", due=task.due_date.strftime("%d/%m/%Y"))]
    if kind == "task_returned" and task.review_note:
        lines.append(_("Lý do trả lại: %(note)s", note=task.review_note))
    lines += ["", _("Xem nhiệm vụ: %(url)s", url=link("tasks.detail", task_id=task.id))]
    tag = task.booking.tracking_code if with_code else case
    return f"{subjects[kind]} – {tag}", "\n".join(lines)


def notify_agency(task, kind: str, dedupe_key: str) -> None:
    """Tell the agency's officers and its mailbox about ``task``."""
    for officer in agency_officers(task.agency):
        with force_locale(_locale(officer)):
            subject, body = task_text(task, kind, with_code=False)
        queue_notification(officer, kind, subject, body, dedupe_key=f"{dedupe_key}:u{officer.id}")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, body = task_text(task, kind, with_code=False)
    _mailbox(task.agency, kind, subject, body, dedupe_key)


def notify_staff(user, task, kind: str, dedupe_key: str | None = None) -> None:
    """Tell one member of staff (the secretary who assigned the task) about it."""
    if user is None or not user.is_active:
        return
    with force_locale(_locale(user)):
        subject, body = task_text(task, kind)
    queue_notification(user, kind, subject, body,
                       dedupe_key=f"{dedupe_key}:u{user.id}" if dedupe_key else None)


def notify_citizen_result(task) -> None:
    """Tell the citizen that an agency's result on their case was accepted."""
    citizen = task.booking.citizen
    with force_locale(_locale(citizen)):
        subject = _("Đã có kết quả giải quyết vụ việc %(code)s",
                    code=task.booking.tracking_code)
        body = "\n".join([
            _("Xin chào ông/bà %(name)s,", name=citizen.full_name), "",
            _("%(agency)s đã hoàn thành nội dung được giao sau buổi tiếp công dân và kết quả "
              "đã được Ban tiếp công dân ghi nhận.", agency=task.agency.name),
            _("Kết quả giải quyết sẽ được gửi đến ông/bà theo quy định."), "",
            _("Tra cứu vụ việc: %(url)s", url=link("bookings.track")),
            _("Xin trân trọng cảm ơn."), _("Ban tiếp công dân")])
    queue_notification(citizen, "task_accepted", subject, body,
                       dedupe_key=f"task:{task.id}:accepted:{task.reviewed_at:%Y%m%d%H%M%S}")
