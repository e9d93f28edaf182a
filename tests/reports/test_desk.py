"""The start page of each role after logging in, and the secretary's desk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.tasks.models import Task
from app.timeutil import local_today
from tests.factories import add_session, log_in, make_booking, make_user
from tests.minutes.world import login

START = {"secretary": "/reports/desk", "host": "/reports/desk", "officer": "/tasks/",
         "admin": "/admin/", "citizen": "/"}


@pytest.mark.parametrize("role", sorted(START))
def test_each_role_lands_on_its_start_page(client, world, role):
    response = log_in(client, getattr(world, role).email)
    assert response.status_code == 302
    assert response.headers["Location"] == START[role]


def test_next_keeps_priority_over_the_start_page(client, world):
    response = log_in(client, world.secretary.email, next="/reports/")
    assert response.headers["Location"] == "/reports/"


def test_an_outside_next_falls_back_to_the_start_page(client, world):
    response = log_in(client, world.officer.email, next="//evil.example/")
    assert response.headers["Location"] == "/tasks/"


def _overdue_task(world):
    task = Task(booking_id=world.booking.id, agency_id=world.agency.id,
                description="Kiểm tra hồ sơ đất", due_date=local_today() - timedelta(days=3))
    db.session.add(task)
    db.session.flush()
    return task


def test_secretary_desk_combines_sessions_triage_and_overdue_tasks(client, world):
    today = add_session(world.unit, world.host, local_today(), hour=23, minutes=30)
    pending = make_booking(world.reception, world.other_citizen, slot_index=1,
                           status="pending")
    task = _overdue_task(world)
    login(client, world.secretary)
    page = client.get("/reports/desk").get_data(as_text=True)
    assert "Bàn làm việc" in page
    assert f"/lich-tiep/buoi/{today.id}" in page
    assert pending.tracking_code in page and 'data-count="triage">1<' in page
    assert f"/tasks/{task.id}" in page and "trễ 3 ngày" in page
    assert world.other_citizen.full_name not in page


def test_desk_of_another_unit_shows_none_of_it(client, world):
    make_booking(world.reception, world.other_citizen, slot_index=1, status="pending")
    _overdue_task(world)
    login(client, world.other_secretary)
    page = client.get("/reports/desk").get_data(as_text=True)
    assert 'data-count="triage">0<' in page and 'data-count="overdue">0<' in page


def test_chairman_desk_shows_the_next_sessions_queue(client, world):
    login(client, world.host)
    page = client.get("/reports/desk").get_data(as_text=True)
    assert "Hàng chờ buổi tiếp kế tiếp" in page
    assert world.booking.tracking_code in page
    assert world.citizen.full_name not in page
    assert "Đăng ký chờ xem xét" not in page


def test_chairman_without_sessions_is_told_so(client, world):
    other_host = make_user("host", unit=world.other_unit)
    login(client, other_host)
    page = client.get("/reports/desk").get_data(as_text=True)
    assert "Không có buổi tiếp nào sắp tới." in page


@pytest.mark.parametrize("role", ["citizen", "officer", "inspector"])
def test_desk_refused_to_others(client, world, role):
    login(client, getattr(world, role))
    assert client.get("/reports/desk").status_code == 403


def test_desk_needs_a_sign_in(client, world):
    assert client.get("/reports/desk").status_code in (302, 401)


def test_the_header_leads_back_to_the_desk(client, world):
    login(client, world.secretary)
    assert 'href="/reports/desk"' in client.get("/reports/").get_data(as_text=True)


def test_an_administrator_sees_the_lists_of_every_unit(client, world):
    make_booking(world.reception, world.other_citizen, slot_index=1, status="pending")
    login(client, world.admin)
    page = client.get("/reports/desk").get_data(as_text=True)
    assert 'data-count="triage">1<' in page
