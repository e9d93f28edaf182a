"""Follow-up tasks in the API: POST /bookings/<id>/tasks, GET /tasks, PATCH /tasks/<id>,
POST /tasks/<id>/review and attachments, for each role."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from app.timeutil import local_today

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _body(**overrides):
    return {"agency_code": "SXD", "description": "Kiểm tra hiện trạng thửa đất",
            "due_date": (local_today() + timedelta(days=7)).isoformat(), **overrides}


def _create(api, world, user=None, **overrides):
    return api.post(f"/bookings/{world.booking.id}/tasks", user=user or world.secretary,
                    json=_body(**overrides))


@pytest.mark.parametrize("role", ["secretary", "host"])
def test_secretary_and_host_assign(api, world, role):
    response = _create(api, world, getattr(world, role))
    assert response.status_code == 201
    task = response.get_json()
    assert (task["status"], task["agency_code"], task["overdue"]) == ("assigned", "SXD", False)
    assert isinstance(task["id"], int)


@pytest.mark.parametrize("role", ["citizen", "other_citizen", "officer", "inspector",
                                  "other_secretary"])
def test_others_may_not_assign(api, world, role):
    # Those who do not even view the case get the 404 of a missing one.
    expected = 403 if role in ("citizen", "inspector") else 404
    assert _create(api, world, getattr(world, role)).status_code == expected


def test_assign_validation(api, world):
    response = _create(api, world, due_date="31/12/2027")
    assert response.status_code == 422 and "due_date" in response.get_json()["errors"]
    assert _create(api, world, agency_code="XYZ").status_code == 422
    assert api.post(f"/bookings/{world.booking.id}/tasks", user=world.secretary,
                    json="x").status_code == 400


def test_list_by_role_and_filters(api, world):
    task_id = _create(api, world).get_json()["id"]
    assert [t["id"] for t in api.get("/tasks", user=world.officer).get_json()] == [task_id]
    assert api.get("/tasks", user=world.other_officer).get_json() == []
    assert [t["id"] for t in api.get("/tasks?mine=1", user=world.secretary).get_json()] == \
        [task_id]
    assert api.get("/tasks?overdue=1", user=world.secretary).get_json() == []
    assert len(api.get("/tasks?overdue=0", user=world.officer).get_json()) == 1
    assert api.get("/tasks?overdue=2", user=world.officer).status_code == 422


@pytest.mark.parametrize(("role", "status"), [("citizen", 403), ("inspector", 403),
                                              ("host", 403), (None, 401)])
def test_list_refused(api, world, role, status):
    user = getattr(world, role) if role else None
    assert api.get("/tasks", user=user).status_code == status


def test_officer_reports_straight_to_done(api, world):
    task_id = _create(api, world).get_json()["id"]
    response = api.patch(f"/tasks/{task_id}", user=world.officer,
                         json={"status": "done", "result": "Đã kiểm tra, lập biên bản"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "done"


@pytest.mark.parametrize("role", ["other_officer", "citizen", "inspector", "other_secretary"])
def test_others_may_not_report(api, world, role):
    task_id = _create(api, world).get_json()["id"]
    response = api.patch(f"/tasks/{task_id}", user=getattr(world, role),
                         json={"status": "in_progress"})
    assert response.status_code == (403 if role == "inspector" else 404)


def test_secretary_may_report_too(api, world):
    task_id = _create(api, world).get_json()["id"]
    response = api.patch(f"/tasks/{task_id}", user=world.secretary,
                         json={"status": "in_progress"})
    assert response.get_json()["status"] == "in_progress"


def test_patch_errors(api, world):
    task_id = _create(api, world).get_json()["id"]
    bad = api.patch(f"/tasks/{task_id}", user=world.officer, json={"status": "accepted"})
    assert bad.status_code == 422
    api.patch(f"/tasks/{task_id}", user=world.officer, json={"status": "done", "result": "x"})
    again = api.patch(f"/tasks/{task_id}", user=world.officer, json={"status": "in_progress"})
    assert (again.status_code, again.get_json()["error"]) == (409, "invalid_state")
    assert api.patch("/tasks/99999", user=world.officer, json={}).status_code == 404


def test_review_accept_and_return(api, world):
    task_id = _create(api, world).get_json()["id"]
    api.patch(f"/tasks/{task_id}", user=world.officer, json={"status": "done", "result": "x"})
    assert api.post(f"/tasks/{task_id}/review", user=world.officer,
                    json={"decision": "accept"}).status_code == 403
    returned = api.post(f"/tasks/{task_id}/review", user=world.secretary,
                        json={"decision": "return", "note": "Bổ sung ảnh hiện trạng"})
    assert returned.get_json()["status"] == "returned"
    api.patch(f"/tasks/{task_id}", user=world.officer, json={"status": "done"})
    accepted = api.post(f"/tasks/{task_id}/review", user=world.secretary,
                        json={"decision": "accept"})
    assert accepted.get_json()["status"] == "accepted"


def test_task_is_visible_to_its_people_only(api, world):
    task_id = _create(api, world).get_json()["id"]
    for role in ("officer", "secretary", "host", "inspector", "admin"):
        assert api.get(f"/tasks/{task_id}", user=getattr(world, role)).status_code == 200
    missing = api.get("/tasks/999999", user=world.citizen)
    for role in ("other_officer", "citizen", "other_citizen", "other_secretary"):
        response = api.get(f"/tasks/{task_id}", user=getattr(world, role))
        assert response.status_code == 404, role
        assert response.get_json() == missing.get_json(), role


def test_officer_sees_the_citizen_masked(api, world):
    task_id = _create(api, world).get_json()["id"]
    task = api.get(f"/tasks/{task_id}", user=world.officer).get_json()
    assert task["case"]["citizen"] == "N*** V** A*"
    assert api.get(f"/tasks/{task_id}", user=world.secretary).get_json()["case"]["citizen"] \
        == "Nguyễn Văn An"


def test_attachments_checked_by_content(api, world, app):
    task_id = _create(api, world).get_json()["id"]
    ok = api.post(f"/tasks/{task_id}/attachments", user=world.officer,
                  data={"file": (io.BytesIO(PNG), "anh.png")},
                  content_type="multipart/form-data")
    assert ok.status_code == 201 and ok.get_json()["content_type"] == "image/png"
    fake = api.post(f"/tasks/{task_id}/attachments", user=world.officer,
                    data={"file": (io.BytesIO(b"MZ\x90\0 not a pdf"), "bao-cao.pdf")},
                    content_type="multipart/form-data")
    assert fake.status_code == 422
    with api.get(f"/tasks/{task_id}/attachments/{ok.get_json()['id']}",
                 user=world.secretary) as download:
        assert download.data == PNG
    [stored] = (Path(app.config["UPLOAD_DIR"]) / "tasks").iterdir()
    assert stored.read_bytes() == PNG and "anh" not in stored.name


def test_attachment_too_large_is_413(api, world, monkeypatch):
    from app.tasks import uploads

    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 100)
    task_id = _create(api, world).get_json()["id"]
    response = api.post(f"/tasks/{task_id}/attachments", user=world.officer,
                        data={"file": (io.BytesIO(PNG + b"\0" * 200), "anh.png")},
                        content_type="multipart/form-data")
    assert (response.status_code, response.get_json()["error"]) == (413, "too_large")


def test_out_of_range_ids_are_404(api, world):
    assert api.get("/tasks/99999999999999999999", user=world.officer).status_code == 404
    assert api.put("/bookings/99999999999999999999/minutes", user=world.secretary,
                   json={"content": "x"}).status_code == 404
