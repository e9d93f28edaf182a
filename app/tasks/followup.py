"""Reminders before a task's due date and escalation once it is overdue.

Each step is claimed with a conditional UPDATE (``... WHERE reminded_3d_at IS NULL``)
and its messages carry dedupe keys, so running a job twice, or from two processes,
sends nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from sessions.tasks import OPEN_STATUSES, reminder_stage

from ..audit.services import record_event
from ..extensions import db
from ..schedules.working_days import work_calendar
from ..timeutil import local_today, utcnow
from . import notices
from .apology import issue_apology
from .models import Task

#: Reminders are looked for among tasks due within this many days.
REMINDER_HORIZON = timedelta(days=14)
STAMPS = {"3d": Task.reminded_3d_at, "1d": Task.reminded_1d_at}


def _claim(task_id: int, column, now) -> bool:
    """Set ``column`` to now if it is still NULL; True if this call set it."""
    result = db.session.execute(
        update(Task).where(Task.id == task_id, column.is_(None))
        .values({column.key: now}))
    return result.rowcount == 1


def send_task_reminders(today: date | None = None) -> int:
    """Remind agencies 3 working days and 1 day before the due date; the count sent."""
    today = today or local_today()
    calendar, now, sent = work_calendar(), utcnow(), 0
    tasks = db.session.scalars(select(Task).where(
        Task.status.in_(OPEN_STATUSES), Task.due_date >= today,
        Task.due_date <= today + REMINDER_HORIZON, Task.reminded_1d_at.is_(None)))
    for task in list(tasks):
        stage = reminder_stage(task.due_date, today, calendar)
        if stage is None or not _claim(task.id, STAMPS[stage], now):
            continue
        if stage == "1d":
            _claim(task.id, Task.reminded_3d_at, now)  # too late for the earlier one
        notices.notify_agency(task, "task_reminder", f"task:{task.id}:remind{stage}")
        sent += 1
    return sent


def escalate_overdue_tasks(today: date | None = None) -> int:
    """Escalate each overdue task once: the agency's officers and mailbox, the secretary
    who assigned it, and an apology letter to the citizen. Returns the count escalated.

    The audit events are written after every task row is claimed: on PostgreSQL the
    audit append locks its table, and taking that lock last avoids deadlocks with
    people updating the same tasks.
    """
    today = today or local_today()
    now, escalated = utcnow(), []
    tasks = db.session.scalars(select(Task).where(
        Task.status.in_(OPEN_STATUSES), Task.due_date < today, Task.escalated_at.is_(None)))
    for task in list(tasks):
        if not _claim(task.id, Task.escalated_at, now):
            continue
        key = f"task:{task.id}:overdue"
        notices.notify_agency(task, "task_overdue", key)
        notices.notify_staff(task.created_by, task, "task_overdue", key)
        issue_apology(task)
        escalated.append(task)
    for task in escalated:
        record_event("task_escalate", target=f"task:{task.id}",
                     due_date=task.due_date.isoformat())
    return len(escalated)
