"""The administrator's search of the audit log, and its CSV export (itself audited).

Administrators only: the log spans every unit and names who saw which denouncer;
inspectors read cases through the minutes and tasks of their units instead. A
denouncer is not named here either (CONTRACT §8): as an actor they are shown as the
words, and the detail of events about them or their denunciation is withheld.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ..audit.models import AuditEvent
from ..audit.services import record_event, verify_chain
from ..auth.decorators import roles_required
from ..auth.models import User
from ..bookings.access import (
    all_denouncers,
    denounced_booking_ids,
    denouncer_ids,
    denouncer_words,
)
from ..extensions import db
from ..spreadsheets import csv_row
from ..timeutil import iso_local, local_today, to_utc_naive
from .audit_labels import action_label, detail_items

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PER_PAGE = 50
EXPORT_LIMIT = 50_000
FILTERS = ("action", "actor", "target", "from", "to")


def _day(name: str, errors: list[str]) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(_("Ngày không hợp lệ (định dạng YYYY-MM-DD): %(v)s", v=text[:20]))
        return None


def _local_midnight_utc(day: date) -> datetime:
    from zoneinfo import ZoneInfo

    return to_utc_naive(datetime.combine(day, time.min, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


def search_filters() -> tuple[dict, list, list[str]]:
    """(the filters as given, the SQL clauses, error messages) of the request."""
    errors: list[str] = []
    given = {k: (request.args.get(k) or "").strip()[:120] for k in FILTERS}
    clauses = []
    if given["action"]:
        clauses.append(AuditEvent.action == given["action"])
    if given["target"]:
        clauses.append(AuditEvent.target.ilike(f"%{_escape(given['target'])}%", escape="\\"))
    if given["actor"]:
        pattern = f"%{_escape(given['actor'].lower())}%"
        actors = select(User.id).where(or_(User.email.ilike(pattern, escape="\\"),
                                           User.full_name.ilike(pattern, escape="\\")),
                                       User.id.not_in(all_denouncers()))
        clauses.append(AuditEvent.actor_id.in_(actors))
    start, end = _day("from", errors), _day("to", errors)
    if start:
        clauses.append(AuditEvent.at >= _local_midnight_utc(start))
    if end:
        clauses.append(AuditEvent.at < _local_midnight_utc(end + timedelta(days=1)))
    if start and end and start > end:
        errors.append(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
    return given, clauses, errors


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _query(clauses):
    return select(AuditEvent).where(*clauses).order_by(AuditEvent.id.desc())


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct()
                                   .order_by(AuditEvent.action)))


def actor_names(events) -> dict[int, object]:
    """The actors of ``events`` by id; a denouncer as the words, with no e-mail."""
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    hidden = denouncer_ids(ids)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    stand_in = SimpleNamespace(full_name=denouncer_words(), email="")
    return {i: stand_in if i in hidden else u for i, u in people.items()}


def _target_id(target: str, kind: str) -> int | None:
    prefix = kind + ":"
    rest = target[len(prefix):] if target.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def withheld(events) -> set[int]:
    """Ids of events whose detail may name a denouncer: done by one, about one, or
    about a denunciation."""
    people = {e.actor_id for e in events} | {_target_id(e.target, "user") for e in events}
    denouncers = denouncer_ids(people)
    cases = denounced_booking_ids({_target_id(e.target, "booking") for e in events})
    return {e.id for e in events
            if e.actor_id in denouncers or _target_id(e.target, "user") in denouncers
            or _target_id(e.target, "booking") in cases}


def shown_detail(event, hidden: set[int]) -> str:
    if event.id in hidden:
        return denouncer_words()
    return event.detail if event.detail != "{}" else ""


def shown_items(event, hidden: set[int]) -> list[tuple[str, str]]:
    """The event's detail as labelled pairs; the denouncer words when withheld."""
    if event.id in hidden:
        return [(_("Chi tiết"), denouncer_words())]
    return detail_items(event.detail)


@bp.get("/")
@roles_required("admin")
def search():
    """Events, newest first, filtered; with the state of the hash chain."""
    given, clauses, errors = search_filters()
    page = db.paginate(_query(clauses), page=request.args.get("page", 1, type=int) or 1,
                       per_page=PER_PAGE, error_out=False)
    intact, broken_id, checked = verify_chain()
    args = {k: v for k, v in given.items() if v}
    return render_template("audit/search.html", page=page, given=given, args=args,
                           errors=errors, actions=actions(), actors=actor_names(page.items),
                           withheld=withheld(page.items), shown_items=shown_items,
                           action_label=action_label,
                           chain={"intact": intact, "broken_id": broken_id,
                                  "checked": checked},
                           today=local_today().isoformat()), 400 if errors else 200


@bp.get("/export.csv")
@roles_required("admin")
def export():
    """The filtered events as CSV (at most EXPORT_LIMIT, newest first); audited."""
    given, clauses, errors = search_filters()
    if errors:
        return Response("\n".join(errors), status=400, mimetype="text/plain")
    events = list(db.session.scalars(_query(clauses).limit(EXPORT_LIMIT)))
    people, hidden = actor_names(events), withheld(events)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with the byte order mark
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor_id", "actor_email", "action", "target", "detail",
                     "hash"])
    for e in events:
        actor = people.get(e.actor_id)
        writer.writerow(csv_row([e.id, iso_local(e.at), e.actor_id or "",
                                 actor.email if actor else "", e.action, e.target,
                                 shown_detail(e, hidden), e.hash]))
    record_event("audit_export", actor=current_user, target="audit", rows=len(events),
                 filters={k: v for k, v in given.items() if v})
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="nhat-ky-{local_today().isoformat()}.csv"',
        "Cache-Control": "private, no-store"})
