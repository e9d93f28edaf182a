"""Tests of app/tasks/services.py: assigning, the state machine with the database,
visibility of lists, the answer deadline and the citizen's public timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Notification
from app.tasks import services
from app.tasks.models import TaskEvent
from app.timeutil import local_today
from sessions.errors import CoreError as ActionError


def _task(world, **data):
    body = {"agency_code": "SXD", "description": "Kiểm tra hiện trạng thửa đất",
            "due_date": (local_today() + timedelta(days=10)).isoformat(), **data}
    return services.create_task(world.booking, body, actor=world.secretary)


def test_create_assigns_and_notifies_the_agency(world):
    world.agency.email = "sxd@tuyenquang.gov.vn"
    task = _task(world)
    assert (task.status, task.agency_id) == ("assigned", world.agency.id)
    recipients = set(db.session.scalars(select(Notification.recipient).where(
        Notification.kind == "task_assigned")))
    assert {world.officer.email, "sxd@tuyenquang.gov.vn"} <= recipients
    assert world.other_officer.email not in recipients


def test_agency_of_a_unit_above_can_be_assigned(world, make):
    reception = make.make_reception(world.commune, world.host)
    booking = make.make_booking(reception, world.citizen)
    task = services.create_task(booking, {"agency_code": "TTT", "description": "Xác minh",
                                          "due_date": local_today().isoformat()},
                                actor=world.secretary)
    assert task.agency_id == world.other_agency.id


@pytest.mark.parametrize(("data", "field"), [
    ({"agency_code": "KHONG"}, "agency_code"), ({"agency_code": 3}, "agency_code"),
    ({"description": ""}, "description"), ({"due_date": "2020-01-01"}, "due_date"),
    ({"due_date": "mai"}, "due_date"),
])
def test_invalid_assignments_are_422(world, data, field):
    with pytest.raises(ActionError) as caught:
        _task(world, **data)
    assert caught.value.status == 422 and field in caught.value.errors


def test_agency_of_another_unit_is_unknown(world, make):
    make.make_agency(world.other_unit, "SXDHN", "Sở Xây dựng Hà Nội")
    with pytest.raises(ActionError):
        _task(world, agency_code="SXDHN")


def test_officer_goes_straight_to_done_then_secretary_accepts(world):
    task = _task(world)
    services.report_task(task, {"status": "done", "result": "Đã kiểm tra"}, actor=world.officer)
    assert task.status == "done" and task.reported_at is not None
    services.review_task(task, {"decision": "accept"}, actor=world.secretary)
    assert task.status == "accepted"
    moves = db.session.scalars(select(TaskEvent.to_status).order_by(TaskEvent.id)).all()
    assert moves == ["assigned", "done", "accepted"]


def test_a_returned_task_goes_back_to_the_agency(world):
    task = _task(world)
    services.report_task(task, {"status": "done", "result": "Xong"}, actor=world.officer)
    services.review_task(task, {"decision": "return", "note": "Thiếu biên bản"},
                         actor=world.secretary)
    assert (task.status, task.review_note) == ("returned", "Thiếu biên bản")
    services.report_task(task, {"status": "in_progress"}, actor=world.officer)
    assert task.status == "in_progress"


def test_returning_needs_a_note(world):
    task = _task(world)
    services.report_task(task, {"status": "done", "result": "Xong"}, actor=world.officer)
    with pytest.raises(ActionError) as caught:
        services.review_task(task, {"decision": "return"}, actor=world.secretary)
    assert "note" in caught.value.errors


def test_done_needs_a_result_or_a_file(world):
    task = _task(world)
    with pytest.raises(ActionError) as caught:
        services.report_task(task, {"status": "done"}, actor=world.officer)
    assert "result" in caught.value.errors


@pytest.mark.parametrize("body", [{"status": "done", "result": "lại"},
                                  {"status": "in_progress"}])
def test_no_report_once_done(world, body):
    task = _task(world)
    services.report_task(task, {"status": "done", "result": "Xong"}, actor=world.officer)
    with pytest.raises(ActionError) as caught:
        services.report_task(task, body, actor=world.officer)
    assert (caught.value.status, caught.value.code) == (409, "invalid_state")


def test_reviewing_an_unreported_task_is_409(world):
    with pytest.raises(ActionError) as caught:
        services.review_task(_task(world), {"decision": "accept"}, actor=world.secretary)
    assert caught.value.status == 409


def _visible(user, **kw):
    return [t.id for t in services.visible_tasks(user, **kw)]


def test_lists_by_role(world, make):
    mine = _task(world)
    theirs = _task(world, agency_code="TTT")
    other = make.make_user("secretary", unit=world.unit)
    by_other = services.create_task(world.booking, {
        "agency_code": "SXD", "description": "Khác", "due_date": local_today().isoformat()},
        actor=other)
    assert _visible(world.officer) == [by_other.id, mine.id]
    assert _visible(world.other_officer) == [theirs.id]
    assert set(_visible(world.secretary)) == {mine.id, theirs.id, by_other.id}
    assert set(_visible(world.secretary, mine=True)) == {mine.id, theirs.id}
    assert _visible(world.other_secretary) == []
    assert _visible(world.citizen) == []


def test_overdue_filter(world):
    late = _task(world)
    late.due_date = local_today() - timedelta(days=1)
    fresh = _task(world)
    assert _visible(world.officer, overdue=True) == [late.id]
    assert _visible(world.officer, overdue=False) == [fresh.id]


def test_answer_deadline_is_ten_working_days_after_the_session(world):
    world.reception.starts_at = datetime(2027, 3, 1, 1, 0)  # Monday 08:00 in Vietnam
    world.reception.ends_at = datetime(2027, 3, 1, 4, 0)
    assert services.case_answer_deadline(world.booking) == date(2027, 3, 15)
    late = services.case_deadline(world.booking, None, today=date(2027, 3, 16))
    assert late["overdue"] is True
    answered = services.case_deadline(world.booking, answered_at=object(),
                                      today=date(2027, 3, 16))
    assert answered["overdue"] is False


def test_public_timeline_hides_people_and_internal_notes(world):
    task = _task(world, description="Liên hệ ông Nguyễn Văn An, số 0912345678, để kiểm tra")
    services.report_task(task, {"status": "done", "result": "Nội bộ: đã gặp"},
                         actor=world.officer)
    services.review_task(task, {"decision": "return", "note": "Ghi chú nội bộ"},
                         actor=world.secretary)
    [item] = services.public_task_timeline(world.booking)
    text = repr(item)
    assert item["agency"] == "Sở Xây dựng" and item["status"] == "returned"
    for secret in ("Nguyễn Văn An", "0912345678", "Nội bộ", "Ghi chú nội bộ",
                   world.officer.full_name, world.secretary.full_name):
        assert secret not in text
    assert item["reported_on"] == local_today().isoformat()
    assert services.public_task_states is services.public_task_timeline
