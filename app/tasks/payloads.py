"""Tasks as JSON for staff (API answers and the web pages' data)."""

from __future__ import annotations

from sessions.identity import mask_name

from ..auth.access import agency_ids
from ..bookings.access import denouncer_words, may_see_identity
from ..bookings.forms import MATTER_FIELD_LABELS, MATTER_TYPE_LABELS
from ..minutes.services import get_minutes
from ..timeutil import iso_local, local_today, to_local
from .models import Task
from .services import case_deadline, status_label


def case_summary(task: Task, viewer) -> dict:
    """What the task's assignee needs of the case: matter type and field, the citizen's
    summary and the minutes' conclusion. Of a denunciation, whoever may not see the
    denouncer gets the type and field only: the texts may name them."""
    booking = task.booking
    minutes = get_minutes(booking)
    hidden = booking.is_denunciation and not may_see_identity(viewer, booking)
    return {"matter_type": MATTER_TYPE_LABELS.get(booking.matter_type, booking.matter_type),
            "matter_field": MATTER_FIELD_LABELS.get(booking.matter_field,
                                                    booking.matter_field),
            "withheld": hidden,
            "summary": "" if hidden else booking.summary,
            "conclusion": "" if hidden or minutes is None else minutes.conclusion}


def citizen_name(task: Task, viewer) -> str:
    """The citizen's name as ``viewer`` may see it in a task.

    A denouncer is never named in a task, whoever reads it (task assignees are often
    the body denounced); other citizens are masked for those who may not see them.
    """
    booking = task.booking
    if booking.is_denunciation:
        return denouncer_words()
    name = booking.citizen.full_name if booking.citizen else ""
    return name if may_see_identity(viewer, booking) else mask_name(name)


def is_assignee(viewer, task: Task) -> bool:
    """An officer of the assigned agency: a tracking code would let them, with the
    phone's last digits, follow the case as the citizen does."""
    return task.agency_id in agency_ids(viewer)


def case_code(task: Task, viewer) -> str | None:
    """The case's tracking code, or None for an officer of the assigned agency."""
    return None if is_assignee(viewer, task) else task.booking.tracking_code


def task_dict(task: Task, viewer, today=None) -> dict:
    """A task for staff: the case in brief, the assignment, the report and its history."""
    today = today or local_today()
    booking, reception = task.booking, task.booking.reception
    data = {
        "id": task.id,
        "booking_id": booking.id,
        "session_id": reception.id,
        "session_date": to_local(reception.starts_at).date().isoformat(),
        "unit_code": reception.unit.code,
        "agency_code": task.agency.code,
        "agency_name": task.agency.name,
        "description": task.description,
        "due_date": task.due_date.isoformat(),
        "status": task.status,
        "status_label": status_label(task.status),
        "overdue": task.is_overdue(today),
        "result": task.result,
        "review_note": task.review_note,
        "created_by": task.created_by.full_name if task.created_by else None,
        "created_at": iso_local(task.created_at),
        "started_at": iso_local(task.started_at),
        "reported_at": iso_local(task.reported_at),
        "reviewed_at": iso_local(task.reviewed_at),
        "escalated_at": iso_local(task.escalated_at),
        "case": {"matter_type": booking.matter_type, "matter_field": booking.matter_field,
                 "citizen": citizen_name(task, viewer),
                 "answer_deadline":
                     case_deadline(booking, today=today)["answer_deadline"].isoformat()},
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type,
                         "size": a.size, "created_at": iso_local(a.created_at)}
                        for a in task.attachments],
        "history": [{"from": e.from_status or None, "to": e.to_status, "at": iso_local(e.at),
                     "note": e.note} for e in task.events],
    }
    code = case_code(task, viewer)
    if code is not None:
        data["tracking_code"] = code
    return data
