"""GET /api/v1/refusal-grounds (CONTRACT §9)."""

from __future__ import annotations

import pytest

from app.rulebook import services as rulebook
from tests.factories import make_unit, make_user


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("secretary", 200), ("host", 200), ("deputy", 200),
    ("officer", 200), ("inspector", 200), ("admin", 200)])
def test_who_may_read_the_grounds(api, app, role, status):
    unit = make_unit()
    user = None
    if role == "citizen":
        user = make_user()
    elif role == "admin":
        user = make_user("admin")
    elif role == "officer":
        from tests.factories import make_agency
        user = make_user("officer", unit=unit, agency=make_agency(unit))
    elif role:
        user = make_user(role, unit=unit)
    response = api.get("/refusal-grounds", user=user)
    assert response.status_code == status
    if status != 200:
        assert response.get_json()["error"] in ("unauthorized", "forbidden")


def test_every_ground_with_its_source_and_written_notice(api, app):
    rulebook.seed_rules()
    rows = api.get("/refusal-grounds", user=make_user("secretary", unit=make_unit())).get_json()
    by_code = {r["code"]: r for r in rows}
    assert len(rows) == 13 and set(rows[0]) >= {"code", "text", "source", "written_notice"}
    assert [c for c, r in by_code.items() if r["written_notice"]] == [
        "already_settled", "already_answered"]
    assert by_code["already_settled"]["source"] == "Luật Tiếp công dân, Điều 9 khoản 3"
    assert by_code["already_answered"]["source"].endswith("Điều 4 khoản 1 điểm h")
    assert by_code["weapons"]["arises"] == "session"
    assert by_code["outside_scope"]["arises"] == "triage"


def test_grounds_by_date_and_where_they_arise(api, app):
    rulebook.seed_rules()
    user = make_user("host", unit=make_unit())
    session = api.get("/refusal-grounds?arises=session", user=user).get_json()
    assert {r["code"] for r in session} == {"intoxicated", "threatening", "weapons",
                                            "security_check", "recording_forbidden",
                                            "disorder"}
    early = api.get("/refusal-grounds?date=2020-01-01", user=user).get_json()
    assert {r["code"] for r in early} == {"intoxicated", "threatening", "already_settled"}
    for query in ("date=01-01-2020", "arises=anywhere"):
        response = api.get(f"/refusal-grounds?{query}", user=user)
        assert response.status_code == 422
        assert response.get_json()["error"] == "validation_error"


def test_the_route_is_in_openapi(api, app):
    paths = api.get("/openapi.json").get_json()["paths"]
    assert "written_notice" in str(paths["/refusal-grounds"]["get"])
