"""Web pages of schedules: public schedule, session page, management, compliance, holidays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.schedules import services
from app.schedules.models import HolidayOverride, ReceptionSession, Schedule
from app.timeutil import local_today, to_local
from tests.factories import sign_in
from tests.schedules.helpers import add_session, body


def page(client, url, user=None, **kwargs):
    if user is not None:
        sign_in(client, user)
    db.session.commit()
    g.pop("_login_user", None)  # requests share the test's app context, hence its g
    response = client.post(url, **kwargs) if "data" in kwargs else client.get(url)
    db.session.expire_all()
    return response


def soon(days=3):
    return local_today() + timedelta(days=days)


def test_public_schedule_without_an_account(client, place):
    add_session(place.province, place.chairman, soon())
    html = page(client, f"/lich-tiep?province=08&date={soon()}").get_data(as_text=True)
    assert place.chairman.full_name in html and "Còn 10/10 lượt trống" in html
    assert "Trực tuyến" in html and "/calendar/units/08.ics" in html


def test_cancelled_struck_through_and_postponed_shown(client, place):
    moved = add_session(place.province, place.chairman, soon(), hour=14)
    moved.previous_starts_at = moved.starts_at - timedelta(hours=6)
    add_session(place.province, place.chairman, soon(), hour=17, status="cancelled",
                cancel_reason="Chủ tịch đi công tác")
    html = page(client, f"/lich-tiep?province=08&view=month&date={soon()}").get_data(
        as_text=True)
    assert "<del>" in html and "Lý do hủy: Chủ tịch đi công tác" in html
    assert "Dời từ 08:00" in html


def test_commune_filter(client, place):
    add_session(place.province, place.chairman, soon())
    add_session(place.commune, place.commune_chairman, soon(), hour=14)
    html = page(client, f"/lich-tiep?province=08&commune=02269&date={soon()}").get_data(
        as_text=True)
    assert place.commune_chairman.full_name in html
    assert place.chairman.full_name not in html


def test_session_page_shows_slots_and_staff_actions_only_to_staff(client, place):
    reception = add_session(place.province, place.chairman, soon())
    public = page(client, f"/lich-tiep/buoi/{reception.id}").get_data(as_text=True)
    assert "08:20–08:40" in public and "Hủy buổi tiếp" not in public
    staff = page(client, f"/lich-tiep/buoi/{reception.id}", place.secretary).get_data(
        as_text=True)
    assert "Hủy buổi tiếp" in staff and place.deputy.full_name in staff


def test_cancel_and_deputy_through_the_page(client, place):
    reception = add_session(place.province, place.chairman, soon())
    page(client, f"/lich-tiep/buoi/{reception.id}/chu-tri-thay", place.secretary,
         data={"deputy-deputy_id": str(place.deputy.id), "deputy-authorisation": "GUQ 3"})
    assert reception.acting_host_id == place.deputy.id
    page(client, f"/lich-tiep/buoi/{reception.id}/huy", data={"cancel-reason": "Bão lũ"})
    assert (reception.status, reception.cancel_reason) == ("cancelled", "Bão lũ")


def test_a_citizen_cannot_cancel(client, make, place):
    reception = add_session(place.province, place.chairman, soon())
    response = page(client, f"/lich-tiep/buoi/{reception.id}/huy", make.make_user(),
                    data={"cancel-reason": "x"})
    assert response.status_code == 403 and reception.status == "scheduled"


@pytest.mark.parametrize("url", ["/quan-ly-lich", "/quan-ly-lich/lich-moi",
                                 "/quan-ly-lich/dot-xuat"])
def test_management_pages_are_for_secretaries(client, make, place, url):
    assert page(client, url).status_code == 302  # to the login page
    assert page(client, url, make.make_user()).status_code == 403
    assert page(client, url, place.secretary).status_code == 200


def form_data(place, **overrides):
    return {k: str(v) for k, v in body(place, **overrides).items()}


def test_the_schedule_form_previews_then_saves(client, place):
    data = form_data(place, action="preview")
    html = page(client, "/quan-ly-lich/lich-moi", place.secretary, data=data).get_data(
        as_text=True)
    assert "buổi tiếp trong thời gian hiệu lực" in html and "08:00–11:30" in html
    assert not db.session.scalar(select(func.count(Schedule.id)))
    saved = page(client, "/quan-ly-lich/lich-moi", data=form_data(place, action="save"))
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count(ReceptionSession.id))) >= 11


def test_the_schedule_form_shows_field_errors(client, place):
    response = page(client, "/quan-ly-lich/lich-moi", place.secretary,
                    data=form_data(place, rrule="FREQ=NEVER", action="save"))
    assert response.status_code == 422 and "FREQ phải là" in response.get_data(as_text=True)


def test_the_edit_form_is_prefilled_and_saves(client, place):
    schedule, _ = services.create_schedule(body(place), place.secretary)
    html = page(client, f"/quan-ly-lich/{schedule.id}/sua", place.secretary).get_data(
        as_text=True)
    assert 'value="FREQ=MONTHLY;BYDAY=3TU"' in html
    page(client, f"/quan-ly-lich/{schedule.id}/sua",
         data=form_data(place, start_time="13:30", action="save"))
    assert all(to_local(r.starts_at).hour == 13 for r in schedule.sessions)


def test_the_live_preview_answers_json(client, place):
    response = page(client, "/quan-ly-lich/xem-truoc", place.secretary, data=form_data(place))
    assert response.status_code == 200 and len(response.get_json()["sessions"]) >= 11


def test_an_adhoc_session_through_the_form(client, place):
    start = f"{soon()}T19:00"
    response = page(client, "/quan-ly-lich/dot-xuat", place.secretary, data={
        "unit_code": "08", "host_id": str(place.chairman.id), "starts_at": start,
        "ends_at": f"{soon()}T20:00", "slot_minutes": "20", "mode": "in_person",
        "reason": "Nhiều hộ dân khiếu nại đông người"})
    assert response.status_code == 302
    reception = db.session.scalar(select(ReceptionSession))
    assert reception.kind == "adhoc" and to_local(reception.starts_at).hour == 19


def test_compliance_page(client, make, place):
    assert page(client, "/quan-ly-lich/tuan-thu?unit=08&month=2026-08",
                make.make_user()).status_code == 403
    html = page(client, "/quan-ly-lich/tuan-thu?unit=08&month=2026-08",
                place.chairman).get_data(as_text=True)
    assert place.chairman.full_name in html and "Chưa đạt" in html


def test_holidays_page_for_admins(client, make, place):
    admin = make.make_user("admin")
    assert page(client, "/admin/holidays?year=2027", place.secretary).status_code == 403
    html = page(client, "/admin/holidays?year=2027", admin).get_data(as_text=True)
    assert "Tết Nguyên Đán" in html and "Lao động" in html
    page(client, "/admin/holidays?year=2027",
         data={"day": "2027-06-15", "kind": "off", "name": "Nghỉ bầu cử"})
    override = db.session.scalar(select(HolidayOverride))
    assert override.name == "Nghỉ bầu cử"
    page(client, f"/admin/holidays/{override.id}/xoa", data={})
    assert db.session.scalar(select(HolidayOverride)) is None


def test_home_page_lists_the_next_sessions(client, place):
    add_session(place.province, place.chairman, soon())
    html = page(client, "/").get_data(as_text=True)
    assert place.chairman.full_name in html and "Tuyên Quang" in html


@pytest.mark.parametrize("query", ["date=9999-12-31&view=month", "date=0001-01-01",
                                   "date=x&view=y&province=zz&commune=qq"])
def test_odd_public_queries_still_answer(client, place, query):
    assert page(client, f"/lich-tiep?{query}").status_code == 200


def test_a_busy_week_is_listed_a_few_days_at_a_time(client, place):
    monday = soon(14) - timedelta(days=soon(14).weekday())
    days = [monday + timedelta(days=n) for n in range(4)]
    for day in days:
        for hour in range(7, 14):  # seven sessions a day
            add_session(place.province, place.chairman, day, hour=hour, minutes=30)
    url = f"/lich-tiep?province=08&date={monday}"
    first = page(client, url).get_data(as_text=True)
    assert f'id="day-{days[2]}"' in first and f'id="day-{days[3]}"' not in first
    assert "page=2" in first and "Trang 1/2" in first
    second = page(client, f"{url}&page=2").get_data(as_text=True)
    assert f'id="day-{days[3]}"' in second and f'id="day-{days[0]}"' not in second
    assert "page=1" in second  # the way back
    assert f"date={monday}" in second
    for wrong in ("0", "x", "-1", "7"):
        assert page(client, f"{url}&page={wrong}").status_code == 200
