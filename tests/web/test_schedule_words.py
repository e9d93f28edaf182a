"""Schedule pages in words and with sound defaults: recurrence rules said in
Vietnamese, the ad-hoc form starting on the secretary's unit and its chairman, an empty
date answered in Vietnamese, the compliance page opening on the user's own unit."""

from __future__ import annotations

import re

from flask import g

from app.extensions import db
from app.schedules import services
from tests.factories import sign_in
from tests.schedules.helpers import body


def page(client, url, user=None, data=None):
    if user is not None:
        sign_in(client, user)
    db.session.commit()
    g.pop("_login_user", None)
    return client.post(url, data=data) if data is not None else client.get(url)


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                       select.group(1))
    return next((v for v in chosen.groups() if v is not None), None) if chosen else None


def test_schedules_are_listed_in_words(client, place):
    services.create_schedule(body(place), place.secretary)
    html = page(client, "/quan-ly-lich", place.secretary).get_data(as_text=True)
    assert "Thứ Ba tuần thứ ba hằng tháng, 08:00–11:30" in html
    assert "FREQ=MONTHLY" not in html


def test_schedules_in_english_words(client, place):
    services.create_schedule(body(place), place.secretary)
    sign_in(client, place.secretary)
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    html = page(client, "/quan-ly-lich").get_data(as_text=True)
    assert "Third Tuesday of every month, 08:00–11:30" in html


def test_adhoc_form_starts_on_the_unit_and_its_own_chairman(client, place):
    html = page(client, "/quan-ly-lich/dot-xuat", place.secretary).get_data(as_text=True)
    assert _selected(html, "unit_code") == place.province.code
    assert _selected(html, "host_id") == str(place.chairman.id)


def test_adhoc_form_answers_an_empty_date_in_vietnamese(client, place):
    response = page(client, "/quan-ly-lich/dot-xuat", place.secretary, data={
        "unit_code": "08", "host_id": str(place.chairman.id), "starts_at": "",
        "ends_at": "", "slot_minutes": "20", "mode": "online", "reason": "Đông người"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng chọn ngày và giờ." in html and "ISO 8601" not in html


def test_compliance_opens_on_the_province_of_a_province_secretary(client, place):
    html = page(client, "/quan-ly-lich/tuan-thu", place.secretary).get_data(as_text=True)
    assert _selected(html, "unit") == place.province.code
    assert place.chairman.full_name in html


def test_compliance_of_a_commune_chairman_opens_on_the_commune(client, place):
    html = page(client, "/quan-ly-lich/tuan-thu", place.commune_chairman).get_data(
        as_text=True)
    assert _selected(html, "unit") == place.commune.code
