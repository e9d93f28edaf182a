"""The dashboard of secretaries and chairmen: frequency compliance, cases by type and
field, task on-time rate, overdue work and citizens' satisfaction, for one unit and
period. Every table is a list of rows (dicts) so that it renders, charts and exports
to CSV alike.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sessions.tasks import OPEN_STATUSES as OPEN_TASK_STATUSES
from sessions.tasks import TaskStatus

from ..auth.access import is_admin
from ..bookings.forms import MATTER_FIELD_LABELS, MATTER_TYPE_LABELS
from ..bookings.models import Booking, Rating
from ..extensions import db
from ..minutes.models import Minutes
from ..schedules.compliance import unit_compliance
from ..schedules.models import ReceptionSession
from ..spreadsheets import csv_row
from ..tasks.models import Task
from ..tasks.services import case_answer_deadline, status_label
from ..timeutil import to_local
from ..units.models import Unit
from .services import received_bookings, utc_bounds

VIEW_ROLES = ("secretary", "host", "deputy")
MAX_MONTHS = 24
#: The tables of the dashboard and their columns (key, heading), in display order.
COLUMNS = {
    "compliance": [("month", _l("Tháng")), ("host", _l("Người chủ trì")),
                   ("required", _l("Ngày phải tiếp")), ("scheduled", _l("Ngày đã lên lịch")),
                   ("held", _l("Ngày đã tiếp")), ("compliant", _l("Đánh giá"))],
    "types": [("label", _l("Loại vụ việc")), ("count", _l("Số vụ việc"))],
    "fields": [("label", _l("Lĩnh vực")), ("count", _l("Số vụ việc"))],
    "tasks": [("agency", _l("Cơ quan")), ("total", _l("Tổng số")),
              ("on_time", _l("Đúng hạn")), ("late", _l("Trễ hạn")),
              ("overdue", _l("Quá hạn")), ("pending", _l("Chưa đến hạn")),
              ("rate", _l("Tỷ lệ đúng hạn (%)"))],
    "overdue": [("tracking_code", _l("Mã vụ việc")), ("agency", _l("Cơ quan")),
                ("due_date", _l("Hạn hoàn thành")), ("days_late", _l("Số ngày quá hạn")),
                ("status", _l("Tình trạng"))],
    "late_cases": [("tracking_code", _l("Mã vụ việc")), ("session_date", _l("Ngày tiếp")),
                   ("answer_deadline", _l("Hạn trả lời")),
                   ("days_late", _l("Số ngày quá hạn"))],
    "ratings": [("score", _l("Điểm")), ("count", _l("Số lượt đánh giá"))],
}
TABLES = tuple(COLUMNS)


def dashboard_units(user) -> list[Unit]:
    """Units whose dashboard ``user`` may see: where they are secretary, host or deputy,
    and the units right below them (all units for an administrator)."""
    query = select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.level.desc(), Unit.code)
    if not is_admin(user):
        ids = {r.unit_id for r in user.roles if r.role in VIEW_ROLES and r.unit_id}
        if not ids:
            return []
        query = query.where(Unit.id.in_(ids) | Unit.parent_id.in_(ids))
    return list(db.session.scalars(query))


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month) and len(months) < MAX_MONTHS:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def compliance_rows(unit: Unit, start: date, end: date) -> list[dict]:
    """Required, scheduled and held days per host and month (the compliance service)."""
    rows = []
    for year, month in _months(start, end):
        for item in unit_compliance(unit, year, month):
            r = item.result
            rows.append({"month": f"{month:02d}/{year}", "host": item.host.full_name,
                         "required": r.required_days, "scheduled": r.scheduled_days,
                         "held": r.held_days,
                         "compliant": _("Đạt") if r.compliant else _("Chưa đạt")})
    return rows


def _count_rows(counter: Counter, labels: dict) -> list[dict]:
    return [{"code": code, "label": str(label), "count": counter.get(code, 0)}
            for code, label in labels.items()]


def task_rows(tasks: list[Task], today: date) -> tuple[dict, list[dict]]:
    """On-time figures overall and per agency for tasks due in the period."""
    def figures(group: list[Task]) -> dict:
        counts = Counter()
        for task in group:
            reported = to_local(task.reported_at).date() if task.reported_at else None
            if task.status in (TaskStatus.DONE, TaskStatus.ACCEPTED):
                counts["on_time" if reported and reported <= task.due_date else "late"] += 1
            elif task.is_overdue(today):
                counts["overdue"] += 1
            else:
                counts["pending"] += 1
        judged = counts["on_time"] + counts["late"] + counts["overdue"]
        rate = round(100 * counts["on_time"] / judged, 1) if judged else None
        return {"total": len(group), "on_time": counts["on_time"], "late": counts["late"],
                "overdue": counts["overdue"], "pending": counts["pending"], "rate": rate}

    by_agency: dict[str, list[Task]] = {}
    for task in tasks:
        by_agency.setdefault(task.agency.name, []).append(task)
    rows = [{"agency": name, **figures(group)} for name, group in sorted(by_agency.items())]
    return figures(tasks), rows


def _unit_tasks(unit: Unit, start: date, end: date) -> list[Task]:
    query = (select(Task).join(Booking, Task.booking_id == Booking.id)
             .join(ReceptionSession, Booking.session_id == ReceptionSession.id)
             .where(ReceptionSession.unit_id == unit.id, Task.due_date >= start,
                    Task.due_date <= end).order_by(Task.due_date, Task.id))
    return list(db.session.scalars(query))


def overdue_rows(unit: Unit, today: date) -> list[dict]:
    """Every task of the unit's cases still with the agency after its due date."""
    query = (select(Task).join(Booking, Task.booking_id == Booking.id)
             .join(ReceptionSession, Booking.session_id == ReceptionSession.id)
             .where(ReceptionSession.unit_id == unit.id,
                    Task.status.in_(OPEN_TASK_STATUSES),
                    Task.due_date < today).order_by(Task.due_date, Task.id))
    return [{"task_id": t.id, "tracking_code": t.booking.tracking_code, "agency": t.agency.name,
             "due_date": t.due_date.strftime("%d/%m/%Y"), "days_late": (today - t.due_date).days,
             "status": status_label(t.status)} for t in db.session.scalars(query)]


def late_case_rows(bookings: list[Booking], today: date) -> list[dict]:
    """Received cases past the 10-working-day answer deadline with no outcome recorded."""
    ids = [b.id for b in bookings]
    answered = set(db.session.scalars(select(Minutes.booking_id).where(
        Minutes.booking_id.in_(ids), Minutes.outcome.is_not(None)))) if ids else set()
    rows = []
    for booking in bookings:
        deadline = case_answer_deadline(booking)
        if booking.id not in answered and today > deadline:
            rows.append({"booking_id": booking.id, "tracking_code": booking.tracking_code,
                         "session_date": to_local(booking.reception.starts_at)
                         .strftime("%d/%m/%Y"),
                         "answer_deadline": deadline.strftime("%d/%m/%Y"),
                         "days_late": (today - deadline).days})
    return rows


def rating_rows(unit: Unit, start: date, end: date) -> tuple[dict, list[dict]]:
    """Average score, count and the distribution of scores 1–5."""
    low, high = utc_bounds(start, end)
    query = (select(Rating.score, func.count(Rating.id))
             .join(Booking, Rating.booking_id == Booking.id)
             .join(ReceptionSession, Booking.session_id == ReceptionSession.id)
             .where(ReceptionSession.unit_id == unit.id, ReceptionSession.starts_at >= low,
                    ReceptionSession.starts_at < high).group_by(Rating.score))
    counts = dict(db.session.execute(query).all())
    total = sum(counts.values())
    average = round(sum(s * n for s, n in counts.items()) / total, 2) if total else None
    return ({"average": average, "count": total},
            [{"score": score, "count": counts.get(score, 0)} for score in range(1, 6)])


def build_dashboard(unit: Unit, start: date, end: date, today: date) -> dict:
    """Every table of the dashboard of ``unit`` for ``start``…``end``."""
    bookings = received_bookings([unit.id], start, end)
    task_summary, tasks = task_rows(_unit_tasks(unit, start, end), today)
    rating_summary, ratings = rating_rows(unit, start, end)
    return {
        "compliance": compliance_rows(unit, start, end),
        "types": _count_rows(Counter(b.matter_type for b in bookings), MATTER_TYPE_LABELS),
        "fields": _count_rows(Counter(b.matter_field for b in bookings), MATTER_FIELD_LABELS),
        "task_summary": task_summary, "tasks": tasks,
        "overdue": overdue_rows(unit, today),
        "late_cases": late_case_rows(bookings, today),
        "rating_summary": rating_summary, "ratings": ratings,
        "cases": len(bookings),
    }


def chart_specs(data: dict) -> dict:
    """Chart.js configurations (plain data) for the dashboard's charts."""
    months = list(dict.fromkeys(r["month"] for r in data["compliance"]))

    def month_sum(key: str) -> list[int]:
        return [sum(r[key] for r in data["compliance"] if r["month"] == m) for m in months]

    summary = data["task_summary"]
    return {
        "compliance": {"type": "bar", "labels": months, "datasets": [
            {"label": _("Ngày phải tiếp"), "data": month_sum("required")},
            {"label": _("Ngày đã lên lịch"), "data": month_sum("scheduled")},
            {"label": _("Ngày đã tiếp"), "data": month_sum("held")}]},
        "types": {"type": "doughnut", "labels": [r["label"] for r in data["types"]],
                  "datasets": [{"label": _("Số vụ việc"),
                                "data": [r["count"] for r in data["types"]]}]},
        "fields": {"type": "bar", "labels": [r["label"] for r in data["fields"]],
                   "datasets": [{"label": _("Số vụ việc"),
                                 "data": [r["count"] for r in data["fields"]]}]},
        "tasks": {"type": "doughnut",
                  "labels": [_("Đúng hạn"), _("Trễ hạn"), _("Quá hạn"), _("Chưa đến hạn")],
                  "datasets": [{"label": _("Nhiệm vụ"), "data": [
                      summary["on_time"], summary["late"], summary["overdue"],
                      summary["pending"]]}]},
        "ratings": {"type": "bar", "labels": [str(r["score"]) for r in data["ratings"]],
                    "datasets": [{"label": _("Số lượt đánh giá"),
                                  "data": [r["count"] for r in data["ratings"]]}]},
    }


def table_csv(data: dict, table: str) -> str:
    """One table of the dashboard as CSV (UTF-8 with BOM, so spreadsheets read it)."""
    columns = COLUMNS[table]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(heading) for _key, heading in columns])
    for row in data[table]:
        writer.writerow(csv_row("" if row.get(key) is None else row.get(key)
                                for key, _h in columns))
    return out.getvalue()

