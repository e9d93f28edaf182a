"""Reports: the register (Sổ tiếp công dân) and the conclusion notice of a session.

Both documents print a denouncer as ``DENOUNCER_WORDS`` and nothing derived from the
identity (CONTRACT §8), whoever exports them; every export is written to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from sessions import errors as err
from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..bookings.access import DENOUNCER_WORDS
from ..bookings.models import Booking, BookingStatus
from ..documents import docs
from ..documents.issuer import issuer_of, unit_phrase
from ..extensions import db
from ..minutes.models import Minutes, Outcome
from ..schedules.models import ReceptionSession, SessionKind, SessionStatus
from ..tasks.models import Task
from ..tasks.services import status_label
from ..timeutil import local_today, to_local, to_utc_naive, utcnow
from ..units.models import Unit

#: Bookings that count as received cases (register, notice, statistics).
RECEIVED_STATUSES = (BookingStatus.ACCEPTED, BookingStatus.SERVED)
MAX_PERIOD_DAYS = 3 * 366
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_period(start: object, end: object) -> tuple[date, date]:
    """The period ``from``…``to`` (both ``YYYY-MM-DD``, both included), or 422."""
    errors, days = {}, {}
    for field, value in (("from", start), ("to", end)):
        try:
            days[field] = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            days[field] = None
        if days[field] is not None and not MIN_YEAR <= days[field].year <= MAX_YEAR:
            days[field] = None
        if days[field] is None:
            errors[field] = CoreError("invalid_date", N_("Ngày phải có dạng YYYY-MM-DD."),
                                      field=field)
    if not errors and days["to"] < days["from"]:
        errors["to"] = CoreError("invalid_period", N_(
            "Ngày kết thúc không được trước ngày bắt đầu."), field="to")
    elif not errors and (days["to"] - days["from"]).days > MAX_PERIOD_DAYS:
        errors["to"] = CoreError("period_too_long", N_("Khoảng thời gian tối đa 3 năm."),
                                 field="to")
    if errors:
        raise err.invalid(errors)
    return days["from"], days["to"]


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Naive UTC [start 00:00, end + 1 day 00:00) of local dates."""
    return (to_utc_naive(datetime.combine(start, datetime.min.time())),
            to_utc_naive(datetime.combine(end + timedelta(days=1), datetime.min.time())))


def received_bookings(unit_ids, start: date, end: date) -> list[Booking]:
    """Accepted or served bookings of sessions of ``unit_ids`` held from ``start`` to ``end``."""
    low, high = utc_bounds(start, end)
    query = (select(Booking).join(ReceptionSession, Booking.session_id == ReceptionSession.id)
             .where(ReceptionSession.unit_id.in_(unit_ids), ReceptionSession.starts_at >= low,
                    ReceptionSession.starts_at < high,
                    ReceptionSession.status != SessionStatus.CANCELLED,
                    Booking.status.in_(RECEIVED_STATUSES))
             .order_by(ReceptionSession.starts_at, Booking.slot_start, Booking.id))
    return list(db.session.scalars(query))


def _by_booking(model, ids: list[int]) -> dict[int, list]:
    rows = defaultdict(list)
    if ids:
        query = select(model).where(model.booking_id.in_(ids)).order_by(model.id)
        for row in db.session.scalars(query):
            rows[row.booking_id].append(row)
    return rows


def _person(booking: Booking) -> tuple[str, str]:
    """(name and address, ID number) as an export shows them: the words for a denouncer."""
    citizen = booking.citizen
    if booking.is_denunciation:
        return DENOUNCER_WORDS, ""
    return (f"{citizen.full_name}\n{citizen.address}".strip(), citizen.cccd or "")


def _register_row(number: int, booking: Booking, minutes, tasks: list[Task]) -> dict:
    outcome = minutes.outcome if minutes else None
    agencies = ", ".join(dict.fromkeys(t.agency.name for t in tasks))
    redirect = booking.redirect_to or (booking.redirect_agency.name
                                       if booking.redirect_agency else "")
    follow = [f"{t.agency.code}: {status_label(t.status)} (hạn {t.due_date:%d/%m/%Y})"
              for t in tasks]
    person, id_number = _person(booking)
    return {
        "no": number, "date": to_local(booking.reception.starts_at).date(),
        "person": person, "id_number": id_number, "summary": booking.summary,
        "type": docs.MATTER_TYPES.get(booking.matter_type, booking.matter_type),
        "people": booking.group_size, "handled_by": booking.earlier_case_ref,
        "within_authority": "x" if outcome in (Outcome.THU_LY, Outcome.TRA_LOI) else "",
        "guided_to": (redirect or agencies or "x") if outcome == Outcome.HUONG_DAN else "",
        "transferred_to": (agencies or redirect or "x") if outcome == Outcome.CHUYEN_DON
        else "",
        "follow_up": "\n".join(follow) or (minutes.conclusion if minutes else ""),
        "notes": "; ".join(filter(None, [
            docs.MATTER_FIELDS.get(booking.matter_field, booking.matter_field),
            "Tiếp " + docs.MODES.get(booking.reception.mode, ""),
            "Chưa tiếp" if booking.status == BookingStatus.ACCEPTED else ""])),
    }


def register_rows(unit: Unit, start: date, end: date) -> list[dict]:
    """The register's rows for ``unit`` (exactly that unit) from ``start`` to ``end``."""
    bookings = received_bookings([unit.id], start, end)
    ids = [b.id for b in bookings]
    minutes = {m.booking_id: m for rows in _by_booking(Minutes, ids).values() for m in rows}
    tasks = _by_booking(Task, ids)
    return [_register_row(n, b, minutes.get(b.id), tasks[b.id])
            for n, b in enumerate(bookings, start=1)]


def export_register(unit: Unit, start: date, end: date, *, actor) -> bytes:
    """The register as XLSX; the export is audited."""
    rows = register_rows(unit, start, end)
    phrase, place = unit_phrase(unit)
    issuer = {"body": "ỦY BAN NHÂN DÂN", "unit_title": phrase.upper(), "unit_phrase": phrase,
              "place": place}
    data = docs.register_xlsx({"issuer": issuer, "start": start, "end": end}, rows)
    record_event("export", actor=actor, target=f"unit:{unit.code}", document="register",
                 start=start.isoformat(), end=end.isoformat(), rows=len(rows))
    return data


def register_filename(unit: Unit, start: date, end: date) -> str:
    return f"so-tiep-cong-dan-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


# --- the conclusion notice -------------------------------------------------------------

def session_ended(reception: ReceptionSession, now: datetime | None = None) -> bool:
    """Whether the session is over: its end time has passed or the host closed it.
    Until then its conclusion notice is a draft (CONTRACT §9)."""
    now = now or utcnow()
    return (reception.status == SessionStatus.HELD or reception.closed_at is not None
            or reception.ends_at <= now)


def _case_block(number: int, booking: Booking, minutes, tasks: list[Task],
                issuer: dict, *, final: bool) -> dict:
    citizen = booking.citizen
    if booking.is_denunciation:
        who = DENOUNCER_WORDS
    else:
        who = f"{citizen.full_name}" + (f", địa chỉ: {citizen.address}" if citizen.address
                                        else "")
    if booking.group_size > 1:
        who += f" (đại diện cho {booking.group_size} người cùng nội dung)"
    matter = docs.MATTER_TYPES.get(booking.matter_type, booking.matter_type)
    written = minutes.conclusion.strip() if minutes and minutes.conclusion.strip() else ""
    if final:
        conclusion = f"Kết luận của Chủ tịch: {written or 'Chưa có kết luận.'}"
    else:
        conclusion = ("Dự kiến kết luận: " + written if written
                      else "Kết luận sẽ được ghi sau khi nghe công dân trình bày.")
    lines = [f"Công dân: {who}.", f"Nội dung ({matter.lower()}): {booking.summary.strip()}",
             conclusion]
    verb = "Giao" if final else "Dự kiến giao"
    for task in tasks:
        lines.append(f"{verb} {task.agency.name}: {task.description.strip().rstrip('.')}; "
                     f"thời hạn hoàn thành trước ngày {task.due_date:%d/%m/%Y}. Kết quả báo "
                     f"cáo Chủ tịch Ủy ban nhân dân {issuer['unit_phrase']} (qua Ban Tiếp "
                     f"công dân) và trả lời công dân theo quy định.")
    if not tasks:
        lines.append("Kết quả giải quyết được thông báo bằng văn bản đến công dân theo "
                     "quy định.")
    return {"heading": f"{number}. Vụ việc số {booking.tracking_code}", "lines": lines,
            "agencies": [t.agency.name for t in tasks], "booking_id": booking.id}


def _received(reception: ReceptionSession) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == reception.id,
                              Booking.status.in_(RECEIVED_STATUSES))
        .order_by(Booking.slot_start, Booking.id)))


def conclusion_data(reception: ReceptionSession, *, only: Booking | None = None,
                    now: datetime | None = None) -> dict:
    """Everything the conclusion notice of ``reception`` says, as plain values; with
    ``only``, the extract of it for that one booking.

    Before the session has ended the notice is a draft (``draft``), in the future tense.
    Recipients are the agencies assigned, the chairmen and the archive, never the
    citizens: each of them gets the extract of their own case.
    """
    issuer = issuer_of(reception)
    final = session_ended(reception, now)
    deputy = reception.acting_host is not None
    chair = "Phó Chủ tịch" if deputy else "Chủ tịch"
    day = to_local(reception.starts_at).date()
    bookings = _received(reception)
    numbers = {b.id: n for n, b in enumerate(bookings, start=1)}
    ids = [b.id for b in bookings]
    minutes = {m.booking_id: m for rows in _by_booking(Minutes, ids).values() for m in rows}
    tasks = _by_booking(Task, ids)
    chosen = [only] if only is not None else bookings
    cases = [_case_block(numbers.get(b.id, 1), b, minutes.get(b.id), tasks[b.id], issuer,
                         final=final) for b in chosen]
    agencies = list(dict.fromkeys(a for case in cases for a in case["agencies"]))
    host = reception.hosted_by
    kind = "định kỳ" if reception.kind == SessionKind.PERIODIC else "đột xuất"
    how = (f"theo hình thức {docs.MODES.get(reception.mode, '')}"
           + (f" tại {reception.location}" if reception.location else ""))
    who = f"{chair} Ủy ban nhân dân {issuer['unit_phrase']}"
    if final:
        intro = (f"Ngày {day:%d/%m/%Y}, {who} {host.full_name} chủ trì buổi tiếp công dân "
                 f"{kind} {how}. Sau khi nghe công dân trình bày và ý kiến của các cơ quan "
                 f"liên quan, {who} kết luận như sau:")
    else:
        intro = (f"Ngày {day:%d/%m/%Y}, {who} {host.full_name} sẽ tiếp công dân (buổi tiếp "
                 f"{kind}) {how}. Nội dung dự kiến của các vụ việc như sau:")
    recipients = [f"- {a};" for a in agencies]
    extract_line = ""
    addressee = ""
    if only is not None:
        extract_line = f"(Trích phần kết luận đối với vụ việc số {only.tracking_code})"
        person = DENOUNCER_WORDS if only.is_denunciation else \
            f"Ông/Bà {only.citizen.full_name}"
        addressee = f"Kính gửi: {person}"
        recipients = [f"- {person};", *recipients]
    recipients += [f"- Chủ tịch, các PCT UBND {issuer['unit_phrase']};",
                   "- Ban Tiếp công dân;", "- Lưu: VT, BTCD."]
    return {
        "issuer": issuer, "number": "Số:       /TB-UBND", "day": local_today(),
        "draft": not final,
        "title_line": (f"Kết luận của {chair} Ủy ban nhân dân {issuer['unit_phrase']} tại "
                       f"buổi tiếp công dân ngày {day:%d/%m/%Y}"),
        "extract_line": extract_line, "addressee": addressee,
        "intro": intro,
        "cases": cases,
        "closing": (f"Ủy ban nhân dân {issuer['unit_phrase']} thông báo để các cơ quan, đơn "
                    "vị và công dân có liên quan biết, thực hiện./."),
        "recipients": recipients,
        "signer": {"authority": ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] if deputy else ["CHỦ TỊCH"],
                   "name": host.full_name},
    }


def export_conclusion(reception: ReceptionSession, *, actor) -> bytes:
    """The conclusion notice of ``reception`` as DOCX; the export is audited."""
    data = conclusion_data(reception)
    content = docs.conclusion_docx(data)
    record_event("export", actor=actor, target=f"session:{reception.id}",
                 document="conclusion", cases=len(data["cases"]), draft=data["draft"])
    return content


def conclusion_filename(reception: ReceptionSession) -> str:
    return f"thong-bao-ket-luan-{to_local(reception.starts_at):%Y%m%d}-{reception.id}.docx"


def export_conclusion_extract(booking: Booking, *, actor) -> bytes:
    """The extract of the conclusion notice for one received booking; 409 otherwise."""
    if booking.status not in RECEIVED_STATUSES:
        raise CoreError("invalid_state", N_("Vụ việc chưa được tiếp nhận nên chưa có thông "
                                            "báo kết luận."))
    data = conclusion_data(booking.reception, only=booking)
    content = docs.conclusion_docx(data)
    record_event("export", actor=actor, target=f"booking:{booking.id}",
                 document="conclusion_extract", draft=data["draft"])
    return content


def conclusion_extract_filename(booking: Booking) -> str:
    return f"trich-thong-bao-ket-luan-{booking.tracking_code}.docx"
