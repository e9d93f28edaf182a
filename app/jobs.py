"""Scheduled work: one APScheduler, started by the single web process or `flask scheduler`.

Jobs take ids or nothing, open their own app context, call a service and are safe
to run twice (CONTRACT §1, STYLE.md habit 9).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

log = logging.getLogger(__name__)

# job id -> (dotted path of a function taking no argument, seconds between runs)
JOBS = {
    "extend_horizon": ("app.schedules.jobs:extend_horizons", 6 * 3600),
    "dispatch_outbox": ("app.notify.jobs:dispatch_outbox", 20),
    "booking_reminders": ("app.bookings.jobs:send_reminders", 300),
    "expire_pending": ("app.bookings.jobs:expire_unconfirmed", 900),
    "task_reminders": ("app.tasks.jobs:remind_due", 3600),
    "task_escalation": ("app.tasks.jobs:escalate_overdue", 3600),
    "complete_recordings": ("app.live.jobs:complete_recordings", 600),
    "turn_near": ("app.live.jobs:tell_turns_near", 60),
    "retention": ("app.privacy.jobs:run_retention", 24 * 3600),
    "audit_head": ("app.audit.jobs:log_head", 3600),
}


RUN_AT_START = ("dispatch_outbox",)


def _resolve(path: str):
    from importlib import import_module

    module, attr = path.split(":")
    return getattr(import_module(module), attr)


def run_job(app: Flask, job_id: str) -> None:
    """Run one job in its own app context: one unit of work, committed or rolled back."""
    from .doors import unit_of_work
    from .extensions import db
    from .metrics.services import JOB_RUNS

    with app.app_context():
        try:
            with unit_of_work():
                _resolve(JOBS[job_id][0])()
            JOB_RUNS.labels(job_id, "ok").inc()
        except Exception:
            JOB_RUNS.labels(job_id, "error").inc()
            log.exception("job %s failed", job_id)
            raise
        finally:
            db.session.remove()


def build_scheduler(app: Flask, background: bool = True):
    scheduler = (BackgroundScheduler if background else BlockingScheduler)(
        timezone="Asia/Ho_Chi_Minh", job_defaults={"coalesce": True, "max_instances": 1})
    for job_id, (_path, seconds) in JOBS.items():
        # The outbox goes out as soon as a scheduler starts: after a restart, messages
        # queued meanwhile (and those a killed run had claimed) wait no interval.
        first = {"next_run_time": datetime.now(UTC)} if job_id in RUN_AT_START else {}
        scheduler.add_job(run_job, "interval", seconds=seconds, args=[app, job_id], id=job_id,
                          replace_existing=True, **first)
    return scheduler


def start_embedded_scheduler(app: Flask):
    """Start the in-process scheduler unless SCHEDULER=off (or under the reloader's parent)."""
    if not app.config["SCHEDULER"]:
        return None
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    scheduler = build_scheduler(app, background=True)
    scheduler.start()
    log.info("embedded scheduler started with %d jobs", len(JOBS))
    return scheduler
