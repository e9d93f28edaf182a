"""Follow-up tasks: assign, report, review, list, and what the citizen may see.

The state machine is in sessions/tasks.py; here are the database, access-free
service functions (views check access first), notifications and the audit trail.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from sessions import errors as err
from sessions import tasks as core
from sessions.errors import N_, CoreError
from sessions.tasks import TaskStatus

from ..audit.services import record_event
from ..auth.access import agency_ids, is_admin, scoped_unit_ids
from ..bookings.models import Booking
from ..extensions import db
from ..minutes.access import EDITABLE_STATUSES
from ..minutes.services import (  # noqa: F401  (the task pages show the case's deadline)
    case_answer_deadline,
    case_deadline,
    translate,
)
from ..schedules.models import ReceptionSession
from ..timeutil import local_today, to_local, utcnow
from ..units.models import Agency, Unit
from . import notices
from .models import Task, TaskAttachment, TaskEvent

STATUS_LABELS = {
    TaskStatus.ASSIGNED: _l("Đã giao"), TaskStatus.IN_PROGRESS: _l("Đang thực hiện"),
    TaskStatus.DONE: _l("Đã báo cáo kết quả"), TaskStatus.ACCEPTED: _l("Đã nghiệm thu"),
    TaskStatus.RETURNED: _l("Bị trả lại, đang thực hiện lại"),
}


def status_label(status: str) -> str:
    return translate(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def find_agency(unit: Unit, code: object) -> Agency | None:
    """The active agency with ``code`` of ``unit`` or of the nearest unit above it."""
    if not isinstance(code, str) or not code.strip() or len(code) > 20:
        return None
    chain = unit.ancestor_ids()
    rows = db.session.scalars(select(Agency).where(Agency.code == code.strip(),
                                                   Agency.unit_id.in_(chain),
                                                   Agency.is_active.is_(True)))
    return min(rows, key=lambda a: chain.index(a.unit_id), default=None)


def assignable_agencies(unit: Unit) -> list[Agency]:
    """Active agencies of ``unit`` and of the units above it, nearest unit first."""
    chain = unit.ancestor_ids()
    rows = db.session.scalars(select(Agency).where(Agency.unit_id.in_(chain),
                                                   Agency.is_active.is_(True)))
    return sorted(rows, key=lambda a: (chain.index(a.unit_id), a.code))


def _event(task: Task, old: str, new: str, actor, note: str = "") -> None:
    db.session.add(TaskEvent(task_id=task.id, from_status=old, to_status=new,
                             actor_id=getattr(actor, "id", None), note=note, at=utcnow()))


def create_task(booking: Booking, data: dict, *, actor) -> Task:
    """Assign a follow-up task of an accepted (or served) case to an agency."""
    if booking.status not in EDITABLE_STATUSES:
        raise err.invalid_state(N_("Chỉ giao nhiệm vụ cho vụ việc đã được tiếp nhận."))
    errors: dict[str, CoreError] = {}
    agency = find_agency(booking.reception.unit, data.get("agency_code"))
    if agency is None:
        errors["agency_code"] = CoreError("unknown_agency", N_(
            "Không tìm thấy cơ quan này trong đơn vị."), field="agency_code")
    values = {}
    for field, check in (("description", lambda v: core.validate_text(
            v, "description", core.DESCRIPTION_MAX)),
            ("due_date", lambda v: core.validate_due_date(v, local_today()))):
        try:
            values[field] = check(data.get(field))
        except CoreError as error:
            errors[field] = error
    if errors:
        raise err.invalid(errors)
    now = utcnow()
    task = Task(booking_id=booking.id, agency_id=agency.id, created_by_id=actor.id,
                created_at=now, updated_at=now, status=TaskStatus.ASSIGNED, **values)
    db.session.add(task)
    db.session.flush()
    _event(task, "", TaskStatus.ASSIGNED, actor)
    notices.notify_agency(task, "task_assigned", f"task:{task.id}:assigned")
    record_event("task_create", actor=actor, target=f"task:{task.id}",
                 booking=booking.id, agency=agency.code, due_date=task.due_date.isoformat())
    return task


def _locked(task: Task) -> Task:
    return db.session.scalar(select(Task).where(Task.id == task.id).with_for_update()
                             .execution_options(populate_existing=True))


def _has_files(task: Task) -> bool:
    return bool(db.session.scalar(select(func.count(TaskAttachment.id))
                                  .where(TaskAttachment.task_id == task.id)))


def report_task(task: Task, data: dict, *, actor) -> Task:
    """PATCH /tasks/<id>: the agency starts the task or reports its result."""
    errors = {}
    try:
        result = core.validate_text(data.get("result"), "result", core.RESULT_MAX,
                                    required=False)
    except CoreError as error:
        errors["result"] = error
    task = _locked(task)
    try:
        new = core.report_status(task.status, data.get("status"))
    except CoreError as error:
        if error.code == "invalid_state" and not errors:
            raise err.from_core(error) from None
        errors["status"] = error
    if errors:
        raise err.invalid(errors)
    if new == TaskStatus.DONE and not (result or task.result) and not _has_files(task):
        raise err.invalid({"result": CoreError("required", N_(
            "Vui lòng nhập kết quả thực hiện hoặc đính kèm văn bản."), field="result")})
    old, now = task.status, utcnow()
    if result:
        task.result, task.updated_at = result, now
    if new == old:
        return task
    task.status, task.updated_at = new, now
    task.started_at = task.started_at or now
    if new == TaskStatus.DONE:
        task.reported_at = now
        notices.notify_staff(task.created_by, task, "task_reported")
    _event(task, old, new, actor)
    record_event("task_status", actor=actor, target=f"task:{task.id}", old=old, new=new)
    return task


def review_task(task: Task, data: dict, *, actor) -> Task:
    """A secretary accepts a reported result, or returns it with a note."""
    errors = {}
    try:
        note = core.validate_text(data.get("note"), "note", core.NOTE_MAX, required=False)
    except CoreError as error:
        errors["note"], note = error, ""
    task = _locked(task)
    try:
        new = core.review_status(task.status, data.get("decision"))
    except CoreError as error:
        if error.code == "invalid_state" and not errors:
            raise err.from_core(error) from None
        errors["decision"] = error
    if not errors and new == TaskStatus.RETURNED and not note:
        errors["note"] = CoreError("required", N_("Vui lòng ghi lý do trả lại."),
                                   field="note")
    if errors:
        raise err.invalid(errors)
    now = utcnow()
    task.status, task.review_note, task.updated_at = new, note, now
    task.reviewed_at, task.reviewed_by_id = now, actor.id
    _event(task, TaskStatus.DONE, new, actor, note)
    if new == TaskStatus.RETURNED:
        notices.notify_agency(task, "task_returned", f"task:{task.id}:returned:{now:%Y%m%d%H%M%S}")
    else:
        notices.notify_citizen_result(task)
    record_event("task_review", actor=actor, target=f"task:{task.id}", decision=new)
    return task


def unit_ids_below(unit_ids: set[int]) -> set[int]:
    """``unit_ids`` and every unit below them."""
    found, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        frontier = set(db.session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
        frontier -= found
        found |= frontier
    return found


def overdue_clause(today: date):
    return and_(Task.status.in_(core.OPEN_STATUSES), Task.due_date < today)


def visible_tasks(user, *, mine: bool = False, overdue: bool | None = None,
                  today: date | None = None) -> list[Task]:
    """GET /tasks: the tasks ``user`` may see, by due date.

    An officer sees the tasks of their agencies; a secretary the tasks of the cases
    of their units (and below); ``mine`` narrows a secretary's list to the tasks they
    assigned (an officer's stays their agencies'). ``overdue`` True keeps only
    overdue tasks, False only the others.
    """
    today = today or local_today()
    query = select(Task).join(Booking, Task.booking_id == Booking.id)
    if not (is_admin(user) and not mine):
        clauses = []
        if agencies := agency_ids(user):
            clauses.append(Task.agency_id.in_(agencies))
        if mine and user.has_role("secretary", "admin"):
            clauses.append(Task.created_by_id == user.id)
        elif units := scoped_unit_ids(user, "secretary"):
            query = query.join(ReceptionSession, Booking.session_id == ReceptionSession.id)
            clauses.append(ReceptionSession.unit_id.in_(unit_ids_below(units)))
        if not clauses:
            return []
        query = query.where(or_(*clauses))
    if overdue is not None:
        clause = overdue_clause(today)
        query = query.where(clause if overdue else ~clause)
    return list(db.session.scalars(query.order_by(Task.due_date, Task.id)))


def case_tasks(booking: Booking) -> list[Task]:
    """The tasks of a case, in the order they were assigned."""
    return list(db.session.scalars(select(Task).where(Task.booking_id == booking.id)
                                   .order_by(Task.id)))


def public_task_timeline(booking: Booking) -> list[dict]:
    """The case's tasks as the citizen's tracking page shows them.

    The description is masked of personal data; the agency, due date, status and
    dates are given, never officers' names, results or internal notes, nor a link to
    a letter (anyone holding the code and four digits reads this answer).
    """
    from ..bookings.access import denouncer_words

    today = local_today()
    names = [booking.citizen.full_name] if booking.citizen else []
    placeholder = denouncer_words() if booking.is_denunciation else None
    return [{
        "description": core.redact_personal_data(task.description, names, placeholder),
        "agency": task.agency.name,
        "due_date": task.due_date.isoformat(),
        "status": task.status,
        "status_label": status_label(task.status),
        "overdue": task.is_overdue(today),
        "assigned_on": _day(task.created_at),
        "reported_on": _day(task.reported_at),
        "accepted_on": _day(task.reviewed_at) if task.status == TaskStatus.ACCEPTED
        else None,
    } for task in case_tasks(booking)]


#: The name app.bookings.tracking looks for.
public_task_states = public_task_timeline


def _day(moment) -> str | None:
    return to_local(moment).date().isoformat() if moment else None
