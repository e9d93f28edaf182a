"""Scheduled work on follow-up tasks (the runner opens the app context and commits)."""

from __future__ import annotations

from .followup import escalate_overdue_tasks, send_task_reminders


def remind_due() -> None:
    """Reminders before due dates (3 working days, then 1 day before)."""
    send_task_reminders()


def escalate_overdue() -> None:
    """Escalation and apology letters for overdue tasks, once each."""
    escalate_overdue_tasks()
