"""The apology letter (thư xin lỗi) to a citizen whose case's task ran late.

It is generated once when the task escalates, stored under UPLOAD_DIR/apologies/
with a random name, and the citizen gets a message with a signed download link: the
only way to it (the public tracking answer carries no link to any letter).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from ..bookings.access import DENOUNCER_WORDS
from ..documents import docs
from ..documents.issuer import issuer_of
from ..extensions import db
from ..minutes.lookup import find
from ..notify.services import queue_notification
from ..timeutil import to_local, utcnow
from .models import Task
from .notices import link

SALT = "task-apology-letter"
LINK_MAX_AGE = 2 * 365 * 24 * 3600


def apology_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "apologies"
    path.mkdir(parents=True, exist_ok=True)
    return path


def apology_letter_docx(task: Task) -> bytes:
    """The citizen's own apology letter for ``task`` as DOCX bytes (built afresh).

    It names them, so for a denouncer it is not copied to the agency (often the body
    denounced): the agency gets :func:`agency_apology_docx` instead.
    """
    booking = task.booking
    return _letter(task, booking.citizen.full_name, copy_to_agency=not booking.is_denunciation)


def agency_apology_docx(task: Task) -> bytes:
    """The agency's copy: the same letter, a denouncer shown only as the words."""
    booking = task.booking
    name = DENOUNCER_WORDS if booking.is_denunciation else booking.citizen.full_name
    return _letter(task, name, copy_to_agency=True)


def _letter(task: Task, citizen_name: str, *, copy_to_agency: bool) -> bytes:
    booking = task.booking
    reception = booking.reception
    return docs.apology_docx({
        "issuer": issuer_of(reception),
        "citizen_name": citizen_name,
        "tracking_code": booking.tracking_code,
        "session_date": to_local(reception.starts_at).date(),
        "agency_name": task.agency.name,
        "description": task.description,
        "due_date": task.due_date,
        "today": to_local(utcnow()).date(),
        "copy_to_agency": copy_to_agency,
    })


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def apology_token(task: Task) -> str:
    return _serializer().dumps([task.id, task.apology_stored_name])


def read_apology_token(token: object) -> Task | None:
    """The task whose stored letter the token names, or None."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    try:
        value = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    task = find(Task, value[0])
    if task is None or not task.apology_stored_name or task.apology_stored_name != value[1]:
        return None
    return task


def apology_url(task: Task) -> str | None:
    """The signed download link of the stored letter, or None when there is none."""
    if not task.apology_stored_name:
        return None
    return link("tasks.apology_download", token=apology_token(task)) or None


def apology_path(task: Task) -> Path:
    return apology_dir() / task.apology_stored_name


def issue_apology(task: Task) -> bool:
    """Generate, store and announce the letter once; False if it already was."""
    now = utcnow()
    claimed = db.session.execute(
        update(Task).where(Task.id == task.id, Task.apology_at.is_(None))
        .values(apology_at=now)).rowcount
    if claimed != 1:
        return False
    db.session.refresh(task)
    name = secrets.token_hex(16) + ".docx"
    (apology_dir() / name).write_bytes(apology_letter_docx(task))
    task.apology_stored_name = name
    db.session.flush()
    _announce(task)
    return True


def _announce(task: Task) -> None:
    citizen = task.booking.citizen
    with force_locale(citizen.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Thư xin lỗi về việc giải quyết chậm vụ việc %(code)s",
                    code=task.booking.tracking_code)
        body = "\n".join([
            _("Xin chào ông/bà %(name)s,", name=citizen.full_name), "",
            _("Việc giải quyết vụ việc của ông/bà đã chậm so với thời hạn. Chúng tôi thành "
              "thật xin lỗi ông/bà và đang đôn đốc cơ quan có trách nhiệm hoàn thành sớm nhất."),
            _("Thư xin lỗi: %(url)s", url=apology_url(task) or ""),
            _("Mã tra cứu: %(code)s", code=task.booking.tracking_code), "",
            _("Xin trân trọng cảm ơn."), _("Ban tiếp công dân")])
    queue_notification(citizen, "task_apology", subject, body,
                       dedupe_key=f"task:{task.id}:apology")
