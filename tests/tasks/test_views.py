"""Web pages of tasks: the officer's list, the task page with report and review forms,
a case's tasks with the assign form."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.extensions import db
from app.tasks import services
from app.timeutil import local_today
from tests.minutes.world import login

PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def task(world):
    """A task of the case for the agency SXD, due in a week."""
    return services.create_task(world.booking, {
        "agency_code": "SXD", "description": "Kiểm tra hiện trạng",
        "due_date": (local_today() + timedelta(days=7)).isoformat()}, actor=world.secretary)


def test_officer_list_shows_their_agencys_tasks(client, world, task):
    login(client, world.officer)
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Kiểm tra hiện trạng" in page
    assert world.booking.tracking_code not in page  # it opens the case's public tracking


def test_other_agency_sees_an_empty_list(client, world, task):
    login(client, world.other_officer)
    assert "Kiểm tra hiện trạng" not in client.get("/tasks/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["citizen", "inspector"])
def test_list_refused_to_other_roles(client, world, role):
    login(client, getattr(world, role))
    assert client.get("/tasks/").status_code == 403


def test_officer_reports_with_a_file(client, world, task):
    login(client, world.officer)
    assert "Báo cáo thực hiện" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = client.post(f"/tasks/{task.id}/report", data={
        "status": "done", "result": "Đã lập biên bản kiểm tra",
        "files": (io.BytesIO(PDF), "bien-ban.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.status == "done" and [a.filename for a in task.attachments] == ["bien-ban.pdf"]


def test_a_wrong_file_keeps_the_task_and_stores_nothing(client, world, task, app):
    login(client, world.officer)
    response = client.post(f"/tasks/{task.id}/report", data={
        "status": "done", "result": "x", "files": (io.BytesIO(b"GIF89a"), "a.gif")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    db.session.refresh(task)
    assert task.status == "assigned"


def test_other_officer_may_not_open_or_report(client, world, task):
    login(client, world.other_officer)
    assert client.get(f"/tasks/{task.id}").status_code == 403
    assert client.post(f"/tasks/{task.id}/report", data={"status": "done"}).status_code == 403


def test_secretary_reviews_on_the_task_page(client, world, task):
    services.report_task(task, {"status": "done", "result": "Xong"}, actor=world.officer)
    login(client, world.secretary)
    assert "Đánh giá kết quả" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    client.post(f"/tasks/{task.id}/review", data={"decision": "return", "note": "Bổ sung"})
    db.session.refresh(task)
    assert task.status == "returned"


def test_officer_cannot_review(client, world, task):
    services.report_task(task, {"status": "done", "result": "Xong"}, actor=world.officer)
    login(client, world.officer)
    assert client.post(f"/tasks/{task.id}/review", data={"decision": "accept"}).status_code \
        == 403


def test_secretary_assigns_from_the_case_page(client, world):
    login(client, world.secretary)
    page = client.get(f"/tasks/case/{world.booking.id}").get_data(as_text=True)
    assert "Sở Xây dựng" in page and "Thanh tra tỉnh" in page
    due = (local_today() + timedelta(days=5)).isoformat()
    response = client.post(f"/tasks/case/{world.booking.id}", data={
        "agency_code": "TTT", "description": "Xác minh nội dung", "due_date": due})
    assert response.status_code == 302
    assert [t.agency.code for t in services.case_tasks(world.booking)] == ["TTT"]


@pytest.mark.parametrize("role", ["officer", "citizen", "other_secretary"])
def test_case_page_refused(client, world, role):
    login(client, getattr(world, role))
    assert client.get(f"/tasks/case/{world.booking.id}").status_code == 403


def test_attachment_download_for_staff_of_the_task(client, world, task):
    from werkzeug.datastructures import FileStorage

    from app.tasks.uploads import add_task_attachment

    row = add_task_attachment(task, FileStorage(io.BytesIO(PDF), "bc.pdf"), actor=world.officer)
    login(client, world.secretary)
    with client.get(f"/tasks/{task.id}/files/{row.id}") as response:
        assert response.data == PDF
    login(client, world.citizen)
    assert client.get(f"/tasks/{task.id}/files/{row.id}").status_code == 403
