"""The administrator's audit log page: who may open it, filters, chain status, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.audit.services import record_event, verify_chain
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import sign_in


@pytest.fixture
def log(app, make):
    """Two actors and a few events over three days."""
    unit = make.make_unit()
    admin = make.make_user("admin", full_name="Quản Trị Viên", email="quantri@example.test")
    lan = make.make_user("secretary", unit=unit, full_name="Trần Thị Lan",
                         email="lan@example.test")
    events = [record_event("login", actor=lan, target=f"user:{lan.id}"),
              record_event("reveal", actor=lan, target="booking:7", field="citizen"),
              record_event("booking_decided", actor=admin, target="booking:8"),
              record_event("reveal", actor=admin, target="booking:12", field="citizen")]
    now = utcnow().replace(microsecond=0)
    # Back-date the first two (the seal covers ``at``: reseal so the log stays intact).
    for event, days in zip(events, (3, 3, 1, 0), strict=True):
        event.at = now - timedelta(days=days)
    _rechain()
    db.session.commit()
    return admin, lan, unit


def _rechain():
    from app.audit.services import GENESIS, seal

    prev = GENESIS
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        event.prev_hash = prev
        event.hash = seal(prev, event.at, event.actor_id, event.action, event.target,
                          event.detail)
        prev = event.hash
    db.session.flush()


def _rows(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_only_administrators_open_the_log(app, client, make, log):
    _admin, _lan, unit = log
    assert client.get("/admin/audit/").status_code == 302  # to the login page
    assert "/login" in client.get("/admin/audit/export.csv").headers["Location"]
    for role in ("citizen", "secretary", "host", "deputy", "officer", "inspector"):
        sign_in(client, make.make_user(role, unit=unit))
        assert client.get("/admin/audit/").status_code == 403, role
        assert client.get("/admin/audit/export.csv").status_code == 403, role
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "audit_export")) is None


def test_filters_newest_first_and_chain_status(app, client, log):
    admin, lan, _unit = log
    sign_in(client, admin)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Chuỗi băm nguyên vẹn: đã kiểm tra 4 sự kiện." in page
    assert page.index("booking:12") < page.index("booking:8") < page.index("booking:7")

    page = client.get("/admin/audit/?action=reveal").get_data(as_text=True)
    assert "booking:7" in page and "booking:12" in page and "booking:8" not in page

    for actor in ("lan@example", "trần thị", "Lan"):
        page = client.get("/admin/audit/", query_string={"actor": actor}).get_data(as_text=True)
        assert "booking:7" in page and "booking:12" not in page, actor

    page = client.get("/admin/audit/?target=booking:1").get_data(as_text=True)
    assert "booking:12" in page and "booking:7" not in page and "booking:8" not in page

    from app.timeutil import local_today

    today = local_today()
    two_days_ago = (today - timedelta(days=2)).isoformat()
    page = client.get("/admin/audit/", query_string={"from": two_days_ago}).get_data(
        as_text=True)
    assert "booking:8" in page and "booking:12" in page and "booking:7" not in page
    page = client.get("/admin/audit/", query_string={
        "to": (today - timedelta(days=2)).isoformat()}).get_data(as_text=True)
    assert "booking:7" in page and "booking:8" not in page


def test_bad_dates_are_a_clear_message(app, client, log):
    admin, _lan, _unit = log
    sign_in(client, admin)
    response = client.get("/admin/audit/?from=27/11/2026")
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in response.get_data(as_text=True)
    response = client.get("/admin/audit/?from=2026-05-02&to=2026-05-01")
    assert "Ngày bắt đầu phải trước" in response.get_data(as_text=True)
    assert client.get("/admin/audit/export.csv?to=x").status_code == 400


def test_pagination_of_many_events(app, client, log):
    admin, _lan, _unit = log
    for n in range(60):
        record_event("page_probe", actor=admin, target=f"probe:{n}")
    db.session.commit()
    sign_in(client, admin)
    first = client.get("/admin/audit/?action=page_probe").get_data(as_text=True)
    second = client.get("/admin/audit/?action=page_probe&page=2").get_data(as_text=True)
    assert "probe:59<" in first and "probe:10<" in first and "probe:9<" not in first
    assert "probe:9<" in second and "probe:0<" in second and "probe:59<" not in second
    assert "60 sự kiện" in first


def test_a_tampered_log_is_shown_broken(app, client, log):
    admin, _lan, _unit = log
    victim = db.session.scalar(select(AuditEvent).where(AuditEvent.target == "booking:7"))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id)
                       .values(target="booking:70"))
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert f"Chuỗi băm bị phá vỡ tại sự kiện số {victim.id}" in page


def test_csv_export_of_the_filtered_rows_is_audited(app, client, log):
    admin, lan, _unit = log
    sign_in(client, admin)
    response = client.get("/admin/audit/export.csv?action=reveal")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert [r["target"] for r in rows] == ["booking:12", "booking:7"]
    assert [r["actor_email"] for r in rows] == ["quantri@example.test", "lan@example.test"]
    assert all(r["action"] == "reveal" and '"field": "citizen"' in r["detail"] for r in rows)

    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit_export"))
    assert exported.actor_id == admin.id
    assert '"action": "reveal"' in exported.detail and '"rows": 2' in exported.detail
    assert verify_chain()[0] is True

    rows = _rows(client.get("/admin/audit/export.csv", query_string={"actor": "lan@"}))
    assert {r["target"] for r in rows} == {f"user:{lan.id}", "booking:7"}


def test_csv_export_quotes_cells_a_spreadsheet_would_run(app, client, log):
    admin, _lan, _unit = log
    record_event("reveal", actor=admin, target='=HYPERLINK("http://evil","x")', field="-1+1")
    db.session.commit()
    sign_in(client, admin)
    rows = _rows(client.get("/admin/audit/export.csv?action=reveal"))
    assert rows[0]["target"] == '\'=HYPERLINK("http://evil","x")'
    assert rows[0]["detail"] == '{"field": "-1+1"}'  # a JSON object starts with "{"
