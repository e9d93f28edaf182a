"""The dashboard's figures: cases by type and field, task on-time rate, overdue work,
satisfaction, compliance."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from app.bookings.models import Rating
from app.extensions import db
from app.reports import dashboard
from app.tasks.services import create_task, report_task
from app.timeutil import local_today, to_local


@pytest.fixture(autouse=True)
def _request(app):
    """The dashboard is built in a request (its labels take the request's language)."""
    with app.test_request_context():
        yield


def _period(world):
    day = to_local(world.reception.starts_at).date()
    return day - timedelta(days=1), day + timedelta(days=1)


def _task(world, due_offset: int):
    task = create_task(world.booking, {"agency_code": "SXD", "description": "Việc",
                                       "due_date": local_today().isoformat()},
                       actor=world.secretary)
    task.due_date = local_today() + timedelta(days=due_offset)
    return task


def test_cases_by_type_and_field(world, make):
    make.make_booking(world.reception, world.other_citizen, slot_index=1,
                      matter_type="khieu_nai", matter_field="moi_truong")
    data = dashboard.build_dashboard(world.unit, *_period(world), local_today())
    types = {r["code"]: r["count"] for r in data["types"]}
    fields = {r["code"]: r["count"] for r in data["fields"]}
    assert (types["kien_nghi"], types["khieu_nai"], types["to_cao"]) == (1, 1, 0)
    assert (fields["dat_dai"], fields["moi_truong"]) == (1, 1)
    assert data["cases"] == 2


def test_task_on_time_rate_and_overdue_list(world):
    on_time = _task(world, 5)
    report_task(on_time, {"status": "done", "result": "x"}, actor=world.officer)
    _task(world, -2)
    _task(world, 3)
    start, end = local_today() - timedelta(days=10), local_today() + timedelta(days=10)
    data = dashboard.build_dashboard(world.unit, start, end, local_today())
    assert data["task_summary"] == {"total": 3, "on_time": 1, "late": 0, "overdue": 1,
                                    "pending": 1, "rate": 50.0}
    assert [r["days_late"] for r in data["overdue"]] == [2]
    assert data["tasks"][0]["agency"] == "Sở Xây dựng"


def test_satisfaction_average(world, make):
    other = make.make_booking(world.reception, world.other_citizen, slot_index=1)
    db.session.add_all([Rating(booking_id=world.booking.id, score=5),
                        Rating(booking_id=other.id, score=2)])
    data = dashboard.build_dashboard(world.unit, *_period(world), local_today())
    assert data["rating_summary"] == {"average": 3.5, "count": 2}
    assert [r["count"] for r in data["ratings"]] == [0, 1, 0, 0, 1]


def test_late_cases_without_an_answer(make):
    from tests.minutes.world import build_world

    world = build_world(make, starts_in_minutes=-60 * 24 * 30, status="served")
    data = dashboard.build_dashboard(world.unit, *_period(world), local_today())
    assert [r["tracking_code"] for r in data["late_cases"]] == [world.booking.tracking_code]


def test_compliance_rows_come_from_the_compliance_service(world):
    data = dashboard.build_dashboard(world.unit, *_period(world), local_today())
    row = data["compliance"][0]
    assert row["host"] == "Trần Văn Chủ" and row["required"] == 1


def test_csv_has_vietnamese_headings_and_rows(world):
    data = dashboard.build_dashboard(world.unit, *_period(world), local_today())
    text = dashboard.table_csv(data, "types")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Loại vụ việc,Số vụ việc"
    assert "Kiến nghị,1" in lines


def test_dashboard_units_follow_roles(world):
    codes = [u.code for u in dashboard.dashboard_units(world.secretary)]
    assert "08" in codes and "02269" in codes and "01" not in codes
    assert dashboard.dashboard_units(world.citizen) == []


@pytest.mark.parametrize("typed", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_csv_cells_a_spreadsheet_would_run_are_quoted(world, make, typed):
    world.host.full_name = typed
    data = dashboard.build_dashboard(world.unit, *_period(world), local_today())
    text = dashboard.table_csv(data, "compliance")
    hosts = [row[1] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert hosts and all(host == "'" + typed for host in hosts)
