"""Every route that serves a stored or generated file answers it as a download.

Uploaded files are PDF, JPEG or PNG by content; whatever a file holds, the browser
must save it, not render it: ``Content-Disposition: attachment``, the type found at
upload (never text/html), ``X-Content-Type-Options: nosniff`` and a sandboxing
Content-Security-Policy, so that even a polyglot file cannot run script on the site.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.extensions import db
from app.tasks import services as tasks
from app.tasks.apology import apology_token, issue_apology
from app.timeutil import local_today
from tests.minutes.world import build_world, login

# A PDF header followed by HTML: a polyglot a browser would render if allowed to sniff.
POLYGLOT_PDF = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n"
PNG = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", "text/calendar",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _assert_download(response, content_type: str, body: bytes | None = None) -> None:
    try:
        _check_download(response, content_type, body)
    finally:
        response.close()


def _check_download(response, content_type: str, body: bytes | None) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == content_type and content_type in SAFE_TYPES
    disposition = response.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment;") and "filename" in disposition
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    policy = response.headers.get("Content-Security-Policy", "")
    assert "sandbox" in policy and "default-src 'none'" in policy
    if body is not None:
        assert response.get_data() == body


@pytest.fixture
def world(make):
    return build_world(make, status="accepted")


@pytest.fixture
def task(world):
    return tasks.create_task(world.booking, {
        "agency_code": "SXD", "description": "Kiểm tra hiện trạng",
        "due_date": (local_today() + timedelta(days=7)).isoformat()}, actor=world.secretary)


def _upload_booking_file(api, world, content: bytes, name: str) -> int:
    response = api.post(f"/bookings/{world.booking.id}/attachments", user=world.citizen,
                        data={"file": (io.BytesIO(content), name)},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _upload_task_file(api, world, task, content: bytes, name: str) -> int:
    response = api.post(f"/tasks/{task.id}/attachments", user=world.officer,
                        data={"file": (io.BytesIO(content), name)},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_booking_attachment_through_the_api(api, world):
    file_id = _upload_booking_file(api, world, POLYGLOT_PDF, "trang.html")
    response = api.get(f"/bookings/{world.booking.id}/attachments/{file_id}", user=world.citizen)
    _assert_download(response, "application/pdf", POLYGLOT_PDF)
    assert "trang.html" in response.headers["Content-Disposition"]


def test_booking_attachment_on_the_web(api, client, world):
    file_id = _upload_booking_file(api, world, PNG, "anh.svg")
    login(client, world.secretary)
    response = client.get(f"/bookings/{world.booking.id}/files/{file_id}")
    _assert_download(response, "image/png", PNG)


def test_task_attachment_through_the_api_and_the_web(api, client, world, task):
    file_id = _upload_task_file(api, world, task, POLYGLOT_PDF, "bao-cao.pdf")
    response = api.get(f"/tasks/{task.id}/attachments/{file_id}", user=world.secretary)
    _assert_download(response, "application/pdf", POLYGLOT_PDF)
    login(client, world.officer)
    _assert_download(client.get(f"/tasks/{task.id}/files/{file_id}"), "application/pdf",
                     POLYGLOT_PDF)


def test_invitations_are_downloads(api, client, world):
    _assert_download(api.get(f"/bookings/{world.booking.id}/invite.ics", user=world.citizen),
                     "text/calendar")
    login(client, world.citizen)
    _assert_download(client.get(f"/bookings/{world.booking.id}/invite.ics"), "text/calendar")


def test_apology_letter_is_a_download(client, world, task):
    assert issue_apology(task)
    db.session.commit()
    _assert_download(client.get(f"/tasks/apology/{apology_token(task)}"),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_register_export_is_a_download(api, world):
    today = local_today()
    response = api.get(f"/reports/register.xlsx?unit=08&from={today - timedelta(days=30)}"
                       f"&to={today + timedelta(days=30)}", user=world.secretary)
    _assert_download(response,
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
