"""Minutes of a case: saving with optimistic concurrency, versions, the public conclusion.

Concurrency: the client sends the ``version`` it edited. When somebody saved in
between, the save is refused with 409 ``invalid_state`` carrying the current text
(``current``), and the client chooses: take the current text, or send its own again
with the new version to overwrite it. Nothing is merged silently. A save without
``version`` overwrites (last write wins), as a plain ``PUT`` does.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sessions import errors as err
from sessions.errors import N_, CoreError
from sessions.rules import answer_deadline
from sessions.tasks import redact_personal_data

from ..audit.services import record_event
from ..bookings.models import Booking, BookingStatus
from ..extensions import db
from ..schedules.models import SessionStatus
from ..schedules.working_days import work_calendar
from ..timeutil import iso_local, local_today, to_local, utcnow
from .access import EDITABLE_STATUSES
from .models import OUTCOMES, Minutes, MinutesVersion, Outcome

CONTENT_MAX = 50000
CONCLUSION_MAX = 10000
#: Autosaves by the same person within this time fold into one version row.
FOLD_WINDOW = timedelta(minutes=2)
TEXT_FIELDS = {"content": CONTENT_MAX, "conclusion": CONCLUSION_MAX}

OUTCOME_LABELS = {
    Outcome.THU_LY: _l("Thụ lý giải quyết"),
    Outcome.HUONG_DAN: _l("Hướng dẫn đến cơ quan có thẩm quyền"),
    Outcome.CHUYEN_DON: _l("Chuyển đơn đến cơ quan có thẩm quyền"),
    Outcome.TRA_LOI: _l("Trả lời trực tiếp"),
}


def translate(text) -> str:
    """A lazy message in the request's language, or the default one outside requests
    (jobs and background work have no request to choose a locale from)."""
    if has_request_context():
        return str(text)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(text)


def outcome_label(code: str | None) -> str:
    """The label of an outcome code in the current language ("" for none)."""
    return translate(OUTCOME_LABELS[code]) if code in OUTCOME_LABELS else ""


def get_minutes(booking) -> Minutes | None:
    """The minutes of ``booking`` or None when none were written."""
    return db.session.scalar(select(Minutes).where(Minutes.booking_id == booking.id))


def minutes_payload(booking, minutes: Minutes | None = None) -> dict:
    """The minutes as a plain dict (API answer and live-room broadcast); version 0 = none."""
    minutes = minutes or get_minutes(booking)
    if minutes is None:
        return {"booking_id": booking.id, "version": 0, "content": "", "conclusion": "",
                "outcome": None, "outcome_label": "", "updated_at": None, "updated_by": None}
    return {"booking_id": booking.id, "version": minutes.version, "content": minutes.content,
            "conclusion": minutes.conclusion, "outcome": minutes.outcome,
            "outcome_label": outcome_label(minutes.outcome),
            "updated_at": iso_local(minutes.updated_at),
            "updated_by": minutes.updated_by.full_name if minutes.updated_by else None}


def _parse(data: dict) -> tuple[dict, int | None]:
    """The fields to change and the version the client edited (422 when invalid)."""
    values, errors = {}, {}
    for field, maximum in TEXT_FIELDS.items():
        if field not in data:
            continue
        value = data[field] if data[field] is not None else ""
        if not isinstance(value, str):
            errors[field] = CoreError("invalid_text", N_("Giá trị phải là một chuỗi ký tự."),
                                      field=field)
        elif len(value) > maximum:
            errors[field] = CoreError("too_long", N_("Tối đa {max} ký tự."), field=field,
                                      max=maximum)
        else:
            values[field] = value.replace("\r\n", "\n")
    if "outcome" in data:
        outcome = None if data["outcome"] == "" else data["outcome"]  # "": the form's none
        if outcome is not None and (not isinstance(outcome, str) or outcome not in OUTCOMES):
            errors["outcome"] = CoreError("invalid_outcome", N_(
                "Kết quả xử lý phải là thu_ly, huong_dan, chuyen_don hoặc tra_loi."),
                field="outcome")
        values["outcome"] = outcome
    version = data.get("version")
    if "version" in data and (isinstance(version, bool) or not isinstance(version, int)
                              or version < 0):
        errors["version"] = CoreError("invalid_version", N_(
            "Phiên bản phải là một số nguyên không âm."), field="version")
    if not values and not errors:
        errors["content"] = CoreError("required", N_("Vui lòng nhập nội dung biên bản."),
                                      field="content")
    if errors:
        raise err.invalid(errors)
    return values, version


def _locked_minutes(booking) -> Minutes | None:
    # Row lock on PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE.
    return db.session.scalar(select(Minutes).where(Minutes.booking_id == booking.id)
                             .with_for_update().execution_options(populate_existing=True))


def _create_minutes(booking, values: dict, actor, now) -> Minutes | None:
    """Insert the first version; None when another writer inserted it first."""
    minutes = Minutes(booking_id=booking.id, version=1, content=values.get("content", ""),
                      conclusion=values.get("conclusion", ""), outcome=values.get("outcome"),
                      answered_at=now if values.get("outcome") else None,
                      updated_by_id=actor.id, created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(minutes)
            db.session.flush()
    except IntegrityError:
        return None
    return minutes


def save_minutes(booking, data: dict, *, actor) -> Minutes:
    """Save the minutes of an accepted (or served) case, returning the current row.

    409 ``invalid_state`` when the booking is in another status, or when ``version``
    is not the current one (the answer then carries ``current``). A save that
    changes nothing creates no version.
    """
    if booking.status not in EDITABLE_STATUSES:
        raise err.invalid_state(N_("Chỉ ghi biên bản cho vụ việc đã được tiếp nhận."))
    values, expected = _parse(data)
    now = utcnow()
    minutes = _locked_minutes(booking)
    if minutes is None and expected in (None, 0):
        minutes = _create_minutes(booking, values, actor, now)
        if minutes is not None:
            _record_version(minutes, actor, now)
            return minutes
        minutes = _locked_minutes(booking)
    current = minutes.version if minutes is not None else 0
    if expected is not None and expected != current:
        raise err.invalid_state(
            N_("Biên bản vừa được người khác cập nhật. Vui lòng xem bản mới nhất."),
            extra={"current": minutes_payload(booking, minutes)})
    changes = {k: v for k, v in values.items() if getattr(minutes, k) != v}
    if not changes:
        return minutes
    for field, value in changes.items():
        setattr(minutes, field, value)
    if minutes.outcome and minutes.answered_at is None:
        minutes.answered_at = now
    minutes.version += 1
    minutes.updated_by_id, minutes.updated_at = actor.id, now
    db.session.flush()
    _record_version(minutes, actor, now)
    return minutes


def _record_version(minutes: Minutes, actor, now) -> None:
    """Add a version row, or fold a quick autosave of the same author into the last one."""
    last = db.session.scalar(select(MinutesVersion).where(MinutesVersion.minutes_id == minutes.id)
                             .order_by(MinutesVersion.id.desc()).limit(1))
    snapshot = {"version": minutes.version, "content": minutes.content,
                "conclusion": minutes.conclusion, "outcome": minutes.outcome, "at": now}
    if (last is not None and last.author_id == actor.id and now - last.at < FOLD_WINDOW
            and last.outcome == minutes.outcome):
        for field, value in snapshot.items():
            setattr(last, field, value)
        db.session.flush()
        return
    db.session.add(MinutesVersion(minutes_id=minutes.id, author_id=actor.id, started_at=now,
                                  **snapshot))
    db.session.flush()
    record_event("minutes_save", actor=actor, target=f"booking:{minutes.booking_id}",
                 version=minutes.version, outcome=minutes.outcome)


def minutes_history(booking) -> list[dict]:
    """Who changed the minutes and when, newest first."""
    minutes = get_minutes(booking)
    if minutes is None:
        return []
    rows = db.session.scalars(select(MinutesVersion).where(MinutesVersion.minutes_id ==
                                                           minutes.id)
                              .order_by(MinutesVersion.id.desc()))
    return [{"version": v.version, "author": v.author.full_name if v.author else None,
             "started_at": iso_local(v.started_at), "at": iso_local(v.at),
             "outcome": v.outcome, "conclusion": v.conclusion, "content": v.content}
            for v in rows]


def public_conclusion(booking) -> str | None:
    """The chairman's conclusion as the citizen's tracking page shows it, or None.

    Shown once the session is over (or the citizen was served), with phone and ID
    numbers, e-mail addresses and the citizen's name masked.
    """
    minutes = get_minutes(booking)
    if minutes is None or not minutes.conclusion.strip():
        return None
    reception = booking.reception
    if booking.status != BookingStatus.SERVED and reception.status != SessionStatus.HELD and \
            reception.ends_at > utcnow():
        return None
    from ..bookings.access import denouncer_words

    names = [booking.citizen.full_name] if booking.citizen else []
    placeholder = denouncer_words() if booking.is_denunciation else None
    return redact_personal_data(minutes.conclusion.strip(), names, placeholder)


def answered_on(booking):
    """When the case's outcome was first recorded (its answer), or None."""
    minutes = get_minutes(booking)
    return minutes.answered_at if minutes is not None else None


def session_minutes(reception) -> list[tuple]:
    """(booking, minutes or None) for each accepted or served case of a session, by slot."""
    bookings = list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id,
                              Booking.status.in_(EDITABLE_STATUSES))
        .order_by(Booking.slot_start, Booking.id)))
    minutes = {m.booking_id: m for m in db.session.scalars(
        select(Minutes).where(Minutes.booking_id.in_([b.id for b in bookings])))}
    return [(b, minutes.get(b.id)) for b in bookings]


def case_answer_deadline(booking: Booking) -> date:
    """The day the citizen must be answered by: 10 working days after the session."""
    return answer_deadline(to_local(booking.reception.starts_at).date(), work_calendar())


def case_deadline(booking: Booking, answered_at=None, today: date | None = None) -> dict:
    """The answer deadline of a case and whether it is overdue (no outcome recorded)."""
    deadline = case_answer_deadline(booking)
    today = today or local_today()
    return {"answer_deadline": deadline,
            "answered": answered_at is not None,
            "overdue": answered_at is None and booking.status in EDITABLE_STATUSES
            and today > deadline}


def case_answers(booking_ids: list[int]) -> dict[int, dict]:
    """The answer each of these cases got, for the repeat-matter panel of triage
    (app/bookings/repeats.py): ``{id: {"outcome", "outcome_text", "conclusion",
    "answered_at"}}``, only for cases with minutes."""
    if not booking_ids:
        return {}
    return {m.booking_id: {"outcome": m.outcome, "outcome_text": outcome_label(m.outcome),
                           "conclusion": m.conclusion, "answered_at": m.answered_at}
            for m in db.session.scalars(select(Minutes).where(
                Minutes.booking_id.in_(booking_ids)))}
