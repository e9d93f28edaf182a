"""Follow-up tasks of a case: the state machine, deadlines and reminders, redaction.

A task is assigned to an agency after a reception. Its officers start it and report a
result (``done``); a secretary then accepts the result or returns it, and a returned
task goes back to the officers. Being overdue is not a state: it is derived from the
due date while the task is still with the agency.

    assigned ──► in_progress ──► done ──► accepted
        │             ▲           │  ▲
        └─────────────┼───────────┘  │      (an officer may go straight to done)
                      │           ▼  │
                      └──────── returned
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

from .errors import N_, CoreError
from .identity import mask_email, mask_name
from .workdays import WorkCalendar


class TaskStatus(StrEnum):
    """Where a follow-up task stands; the ``tasks.status`` column stores these strings
    (app/tasks/models.py). Defined here because these rules are pure (no app import)."""

    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ACCEPTED = "accepted"
    RETURNED = "returned"


STATUSES = tuple(TaskStatus)
#: The task is with the agency: it can become overdue.
OPEN_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
#: What an officer (or a secretary) may report through PATCH.
REPORT_TARGETS = (TaskStatus.IN_PROGRESS, TaskStatus.DONE)
DECISIONS = {"accept": TaskStatus.ACCEPTED, "return": TaskStatus.RETURNED}
#: Reporting moves: from -> allowed targets.
REPORT_MOVES = {
    TaskStatus.ASSIGNED: (TaskStatus.IN_PROGRESS, TaskStatus.DONE),
    TaskStatus.IN_PROGRESS: (TaskStatus.DONE,),
    TaskStatus.RETURNED: (TaskStatus.IN_PROGRESS, TaskStatus.DONE),
}

DESCRIPTION_MAX = 5000
RESULT_MAX = 10000
NOTE_MAX = 2000
#: A due date lies at most this far ahead.
MAX_DUE_DAYS = 3 * 366
#: Reminders go out this many working days before the due date, then the day before.
REMIND_WORKING_DAYS = 3

_ID_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){7,14}(?![\w])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _invalid_state(message: str, **params) -> CoreError:
    return CoreError("invalid_state", message, field="status", **params)


def report_status(current: str, target: object) -> str:
    """The new status when the agency reports ``target`` on a task in ``current``.

    Reporting the status a task already has is a no-op for ``in_progress``;
    anything else not in :data:`REPORT_MOVES` raises ``invalid_state``, and an
    unknown target raises ``invalid_status``.
    """
    if not isinstance(target, str) or target not in REPORT_TARGETS:
        raise CoreError("invalid_status",
                        N_("Trạng thái phải là \"in_progress\" (đang thực hiện) hoặc "
                           "\"done\" (đã hoàn thành)."), field="status")
    if target == current == TaskStatus.IN_PROGRESS:
        return current
    if target not in REPORT_MOVES.get(current, ()):
        if current == TaskStatus.DONE:
            raise _invalid_state(N_("Kết quả đã được báo cáo và đang chờ thư ký xem xét."))
        raise _invalid_state(N_("Nhiệm vụ đã được nghiệm thu, không thể thay đổi."))
    return target


def review_status(current: str, decision: object) -> str:
    """The new status when a secretary decides ``accept`` or ``return`` on a result."""
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise CoreError("invalid_decision",
                        N_("Quyết định phải là \"accept\" (nghiệm thu) hoặc \"return\" "
                           "(trả lại)."), field="decision")
    if current != TaskStatus.DONE:
        raise _invalid_state(N_("Chỉ xem xét được nhiệm vụ đã báo cáo kết quả."))
    return DECISIONS[decision]


def is_overdue(status: str, due_date: date, today: date) -> bool:
    """Whether the task is still with the agency after its due date."""
    return status in OPEN_STATUSES and due_date < today


def is_on_time(due_date: date, reported_on: date | None) -> bool | None:
    """Whether a result came by the due date (None while none was reported)."""
    return None if reported_on is None else reported_on <= due_date


def reminder_stage(due_date: date, today: date, cal: WorkCalendar) -> str | None:
    """Which reminder is due today: ``"1d"`` (the day before or the due day), ``"3d"``
    (from 3 working days before), or None (too early, or already past due)."""
    if today > due_date:
        return None
    if today >= due_date - timedelta(days=1):
        return "1d"
    if today >= cal.add_working_days(due_date, -REMIND_WORKING_DAYS):
        return "3d"
    return None


def validate_due_date(value: object, today: date) -> date:
    """A ``YYYY-MM-DD`` date from ``today`` to :data:`MAX_DUE_DAYS` ahead."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
    if day is None:
        raise CoreError("invalid_date", N_("Hạn hoàn thành phải là một ngày dạng YYYY-MM-DD."),
                        field="due_date")
    if day < today:
        raise CoreError("date_in_past", N_("Hạn hoàn thành không được trước ngày hôm nay."),
                        field="due_date")
    if (day - today).days > MAX_DUE_DAYS:
        raise CoreError("date_too_far", N_("Hạn hoàn thành không được quá 3 năm kể từ hôm nay."),
                        field="due_date")
    return day


def validate_text(value: object, field: str, maximum: int, required: bool = True) -> str:
    """A trimmed string of at most ``maximum`` characters (non-empty if ``required``)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise CoreError("invalid_text", N_("Giá trị phải là một chuỗi ký tự."), field=field)
    text = value.strip()
    if required and not text:
        raise CoreError("required", N_("Vui lòng nhập nội dung."), field=field)
    if len(text) > maximum:
        raise CoreError("too_long", N_("Tối đa {max} ký tự."), field=field, max=maximum)
    return text


def _mask_number(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "*" * (len(digits) - 3) + digits[-3:]


def redact_personal_data(text: str, names: tuple[str, ...] | list[str] = (),
                         placeholder: str | None = None) -> str:
    """``text`` with phone and ID numbers, e-mail addresses and the given ``names`` masked.

    Used for what the public sees of a case (task descriptions, conclusions): a
    number of 8 digits or more keeps only its last 3, an address keeps its first
    character and domain, a name keeps the initial of each word. With a
    ``placeholder`` (a denouncer, whose identity nothing may hint at) each name becomes
    the placeholder and numbers and addresses are starred whole.
    """
    if placeholder is None:
        result = _EMAIL.sub(lambda m: mask_email(m.group(0)), text or "")
        result = _ID_NUMBER.sub(_mask_number, result)
    else:
        result = _ID_NUMBER.sub("***", _EMAIL.sub("***", text or ""))
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        result = re.sub(re.escape(name), placeholder or mask_name(name), result,
                        flags=re.IGNORECASE)
    return result
