"""Scheduled work on tasks: reminders and escalation act once however often they run,
and an overdue task produces one apology letter for the citizen."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import JOBS, run_job
from app.notify.models import Notification
from app.tasks import followup, services
from app.tasks.apology import apology_letter_docx, apology_path, apology_url
from app.tasks.models import Task
from app.timeutil import local_today


def _task(world, due: date) -> Task:
    task = services.create_task(world.booking, {
        "agency_code": "SXD", "description": "Kiểm tra thửa đất",
        "due_date": local_today().isoformat()}, actor=world.secretary)
    task.due_date = due
    db.session.flush()
    return task


def _count(kind: str, recipient: str | None = None) -> int:
    query = select(func.count(Notification.id)).where(Notification.kind == kind)
    if recipient:
        query = query.where(Notification.recipient == recipient)
    return db.session.scalar(query)


def test_three_day_then_one_day_reminders_each_once(world):
    task = _task(world, date(2027, 3, 10))  # a Wednesday
    assert followup.send_task_reminders(date(2027, 3, 4)) == 0
    assert followup.send_task_reminders(date(2027, 3, 5)) == 1
    assert followup.send_task_reminders(date(2027, 3, 8)) == 0
    assert _count("task_reminder", world.officer.email) == 1
    assert followup.send_task_reminders(date(2027, 3, 9)) == 1
    assert followup.send_task_reminders(date(2027, 3, 9)) == 0
    assert _count("task_reminder", world.officer.email) == 2
    assert task.reminded_1d_at is not None


def test_no_reminder_for_a_reported_task(world):
    task = _task(world, date(2027, 3, 10))
    services.report_task(task, {"status": "done", "result": "Xong"}, actor=world.officer)
    assert followup.send_task_reminders(date(2027, 3, 9)) == 0


def test_escalation_runs_twice_but_sends_once(world):
    world.agency.email = "sxd@tuyenquang.gov.vn"
    task = _task(world, local_today() - timedelta(days=1))
    assert followup.escalate_overdue_tasks() == 1
    assert followup.escalate_overdue_tasks() == 0
    db.session.refresh(task)
    assert task.escalated_at is not None
    assert _count("task_overdue", world.officer.email) == 1
    assert _count("task_overdue", "sxd@tuyenquang.gov.vn") == 1
    assert _count("task_overdue", world.secretary.email) == 1
    assert _count("task_apology", world.citizen.email) == 1


def test_escalation_stores_one_apology_letter(world):
    task = _task(world, local_today() - timedelta(days=2))
    followup.escalate_overdue_tasks()
    followup.escalate_overdue_tasks()
    db.session.refresh(task)
    assert apology_path(task).exists()
    assert len(list(apology_path(task).parent.iterdir())) == 1
    assert apology_url(task).startswith("http://localhost/tasks/apology/")


def test_no_escalation_before_the_due_date_passes(world):
    _task(world, local_today())
    assert followup.escalate_overdue_tasks() == 0


def test_registered_jobs_run_twice_without_sending_twice(app, world):
    _task(world, local_today() - timedelta(days=1))
    db.session.commit()
    assert JOBS["task_escalation"][0] == "app.tasks.jobs:escalate_overdue"
    for _run in range(2):
        run_job(app, "task_escalation")
        run_job(app, "task_reminders")
    assert _count("task_apology") == 2  # one e-mail and one SMS to the citizen


def test_apology_letter_content(world):
    task = _task(world, local_today() - timedelta(days=1))
    document = docx.Document(io.BytesIO(apology_letter_docx(task)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "THƯ XIN LỖI" in text and "Kính gửi: Ông/Bà Nguyễn Văn An" in text
    assert "thành thật xin lỗi" in text and world.booking.tracking_code in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "TỈNH TUYÊN QUANG" in cells


def test_citizen_downloads_the_letter_by_its_signed_link(client, world):
    task = _task(world, local_today() - timedelta(days=1))
    followup.escalate_overdue_tasks()
    db.session.commit()
    path = apology_url(task).removeprefix("http://localhost")
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert docx.Document(io.BytesIO(response.data)).paragraphs
    assert client.get(path[:-3] + "xyz").status_code == 404


def test_a_job_run_by_hand_as_on_a_later_date(app, world):
    """`flask jobs run task_escalation --today D` (CONTRACT §1) escalates what is overdue
    on D, not on the real date; the clock is back afterwards."""
    task = _task(world, local_today() + timedelta(days=5))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "task_escalation"])
    assert result.exit_code == 0, result.output
    db.session.refresh(task)
    assert task.escalated_at is None
    db.session.commit()  # end the test's read, so that the job's process may write
    later = (local_today() + timedelta(days=6)).isoformat()
    result = runner.invoke(args=["jobs", "run", "task_escalation", "--today", later])
    assert result.exit_code == 0, result.output
    db.session.refresh(task)
    assert task.escalated_at is not None
    assert local_today() < task.due_date
    bad = runner.invoke(args=["jobs", "run", "task_escalation", "--today", "31/12/2027"])
    assert bad.exit_code != 0
