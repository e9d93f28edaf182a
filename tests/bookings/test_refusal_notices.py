"""The deadline of the written refusal notice (form 01/TCD) on the triage, case and desk
pages (app/bookings/refusal_notices.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.bookings import refusal_notices
from app.extensions import db
from app.schedules.models import HolidayOverride
from app.timeutil import local_today, to_utc_naive
from tests.factories import build_scene, make_booking, make_user, sign_in


def _refused(scene, ground, on: date):
    decided = to_utc_naive(datetime(on.year, on.month, on.day, 9))
    return make_booking(scene.reception, make_user(), status="refused",
                        decision_ground=ground, decided_at=decided)


@pytest.fixture
def scene(app):
    found = build_scene()
    db.session.commit()
    return found


def test_the_deadline_is_three_working_days_on_the_holiday_calendar(scene):
    # Friday 24 April 2026: 27/4 (in lieu), 30/4 and 1/5 are off (package holidays).
    booking = _refused(scene, "already_settled", date(2026, 4, 24))
    due = refusal_notices.notice_due(booking, today=date(2026, 5, 4))
    assert due.due == date(2026, 5, 4) and not due.overdue
    assert refusal_notices.notice_due(booking, today=date(2026, 5, 5)).overdue
    db.session.add(HolidayOverride(day=date(2026, 5, 4), kind="off", name="Nghỉ bù"))
    db.session.commit()  # the calendar is read once per transaction
    assert refusal_notices.notice_due(booking, today=date(2026, 5, 5)).due == date(2026, 5, 5)


def test_no_notice_for_other_grounds_or_statuses(scene):
    assert refusal_notices.notice_due(_refused(scene, "outside_scope", local_today())) is None
    accepted = make_booking(scene.reception, make_user())
    assert refusal_notices.notice_due(accepted) is None


def test_triage_case_and_desk_show_the_deadline(client, scene):
    today = local_today()
    late = _refused(scene, "already_answered", date.fromordinal(today.toordinal() - 20))
    fresh = _refused(scene, "already_settled", today)
    other = _refused(scene, "final_judgment", today)
    db.session.commit()
    sign_in(client, scene.secretary)
    page = client.get("/triage").get_data(as_text=True)
    assert 'data-part="refusal-notices"' in page
    assert late.tracking_code in page and fresh.tracking_code in page
    assert other.tracking_code not in page
    fresh_due = refusal_notices.notice_due(fresh).due
    assert f"Hạn gửi thông báo từ chối (Mẫu 01/TCD): {fresh_due:%d/%m/%Y}" in page
    assert page.count('data-overdue="1"') == 1  # only the one refused 20 days ago
    assert f'href="/bookings/{fresh.id}/refusal-notice.docx"' in page
    case = client.get(f"/minutes/{fresh.id}").get_data(as_text=True)
    assert f"Hạn gửi thông báo từ chối (Mẫu 01/TCD): {fresh_due:%d/%m/%Y}" in case
    assert "Hạn gửi thông báo từ chối" not in client.get(
        f"/minutes/{other.id}").get_data(as_text=True)
    desk = client.get("/reports/desk").get_data(as_text=True)
    assert 'data-count="notices">2<' in desk and fresh.tracking_code in desk


def test_an_issued_notice_leaves_the_lists_and_says_when_it_went(client, scene):
    fresh = _refused(scene, "already_settled", local_today())
    db.session.commit()
    sign_in(client, scene.secretary)
    assert client.get(f"/bookings/{fresh.id}/refusal-notice.docx").status_code == 200
    assert fresh.tracking_code not in client.get("/triage").get_data(as_text=True)
    assert 'data-count="notices">0<' in client.get("/reports/desk").get_data(as_text=True)
    case = client.get(f"/minutes/{fresh.id}").get_data(as_text=True)
    assert 'data-part="refusal-notice-issued"' in case and "Đã phát hành Mẫu 01/TCD" in case


def test_another_units_secretary_sees_none(client, scene):
    from tests.factories import make_unit
    _refused(scene, "already_settled", local_today())
    stranger = make_user("secretary", unit=make_unit("01", name="Hà Nội"))
    db.session.commit()
    sign_in(client, stranger)
    assert 'data-part="refusal-notices"' not in client.get("/triage").get_data(as_text=True)
