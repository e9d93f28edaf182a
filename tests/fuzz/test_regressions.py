"""Inputs the API fuzz once turned into server errors, kept as plain tests."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.extensions import db

REGISTRATION = {"full_name": "Nguyễn Văn Bình", "phone": "0912345670", "password": "MatKhau#2026",
                "consents": {"data_processing": True}}


def test_registration_with_a_non_text_field_is_422(api):
    # Six attempts: registration allows ten an hour from one address.
    for field, value in (("full_name", 12), ("phone", [None, None]), ("email", True),
                         ("password", {"a": 1}), ("cccd", [None, None]), ("address", 3.5)):
        response = api.post("/auth/register", json={**REGISTRATION, field: value})
        assert response.status_code == 422, (field, value, response.get_data(as_text=True))
        body = response.get_json()
        assert body["error"] == "validation_error"
        assert body["errors"][field] == "Trường này phải là một chuỗi ký tự."
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


@pytest.mark.parametrize(("value", "message"), [
    (2**31, "Số quá lớn."), (-(2**63) - 1, "Số quá lớn."),
    ("Trần\x00Văn", "Không được chứa ký tự NUL."),
])
def test_values_no_column_can_hold_are_422(api, make, value, message):
    citizen = make.make_user()
    response = api.post("/bookings", user=citizen, json={
        "session_id": 1, "matter": {"type": "kien_nghi", "field": "dat_dai", "summary": value}})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"matter.summary": message}


@pytest.mark.parametrize("raw", ['{"session_id": NaN}', '{"session_id": Infinity}'])
def test_nan_and_infinity_are_422(api, make, raw):
    citizen = make.make_user()
    response = api.post("/bookings", user=citizen, data=raw,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"session_id": "Trường này phải là một số."}


def test_nul_in_a_query_parameter_is_400(api):
    response = api.get("/sessions?unit=08%00&from=2026-01-01")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_ids_past_32_bits_are_404_whatever_the_method(api):
    for path in ("/bookings/2147483648/tasks", "/schedules/99999999999", "/tasks/21474836470"):
        for method in ("GET", "PUT", "PATCH", "DELETE", "POST"):
            response = api.request(method, path)
            assert response.status_code == 404, (method, path, response.status_code)
            assert response.get_json()["error"] == "not_found"


def test_a_task_decision_or_status_of_another_json_type_is_422(api, make):
    from datetime import timedelta

    from app.tasks import services as tasks
    from app.timeutil import local_today
    from tests.minutes.world import build_world

    world = build_world(make, status="accepted")
    task = tasks.create_task(world.booking, {
        "agency_code": "SXD", "description": "Kiểm tra hiện trạng",
        "due_date": (local_today() + timedelta(days=7)).isoformat()}, actor=world.secretary)
    for value in ({}, [], {"accept": 1}):
        review = api.post(f"/tasks/{task.id}/review", user=world.secretary,
                          json={"decision": value, "note": None})
        assert review.status_code == 422, review.get_data(as_text=True)
        assert "decision" in review.get_json()["errors"]
        report = api.patch(f"/tasks/{task.id}", user=world.officer, json={"status": value})
        assert report.status_code == 422, report.get_data(as_text=True)
        assert "status" in report.get_json()["errors"]
