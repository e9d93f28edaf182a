"""Repeat matters at triage (app/bookings/repeats.py): the citizen's earlier cases and the
cases with a similar summary, accents aside, with the answers they got; scoped to the
viewer's units and masked by the identity rule (CONTRACT §8)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.audit.models import AuditEvent
from app.bookings import repeats
from app.extensions import db
from app.minutes.models import Minutes
from app.timeutil import utcnow
from tests.factories import make_booking, make_reception, make_user, sign_in

WORDS = "Người tố cáo (được giữ bí mật)"
DENOUNCER = "Lê Văn Tố"
ANSWER = "Đã trả lời: ranh giới đúng hồ sơ địa chính năm 2019."


@pytest.fixture
def case(world):
    """A pending booking typed without accents, and around it: a settled similar case of
    another citizen, a similar denunciation, an unrelated case, and a similar case of
    another province."""
    w = world
    old = make_reception(w.unit, w.host, starts_in_minutes=-60 * 24 * 200)
    settled = make_booking(old, w.other_citizen, status="served",
                           summary="Đất đai lấn chiếm", created_at=utcnow() - timedelta(days=210))
    db.session.add(Minutes(booking_id=settled.id, content="Biên bản", conclusion=ANSWER,
                           outcome="tra_loi", answered_at=utcnow() - timedelta(days=150)))
    denouncer = make_user(full_name=DENOUNCER, phone="+84977000111")
    denounced = make_booking(old, denouncer, slot_index=1, status="refused",
                             matter_type="to_cao", matter_field="can_bo",
                             summary="Tố cáo cán bộ xã để đất đai bị lấn chiếm",
                             consent_denunciation_risk_at=utcnow(),
                             decision_ground="already_settled", decided_at=utcnow(),
                             decision_note="Đã giải quyết tại văn bản số 12/TB")
    unrelated = make_booking(old, w.other_citizen, slot_index=2, status="served",
                             summary="Đề nghị sửa đường giao thông nông thôn")
    far_host = make_user("host", unit=w.other_unit)
    far = make_booking(make_reception(w.other_unit, far_host), make_user(), status="accepted",
                       summary="Đất đai lấn chiếm ở Hà Nội")
    pending = make_booking(w.reception, w.citizen, slot_index=1, status="pending",
                           summary="dat dai lan chiem")
    db.session.commit()
    return {"w": w, "settled": settled, "denounced": denounced, "unrelated": unrelated,
            "far": far, "pending": pending, "denouncer": denouncer}


def codes(hits) -> set[str]:
    return {hit["tracking_code"] for hit in hits}


def test_the_database_search_is_used_on_postgresql(case):
    assert repeats._database_search_available() == (
        db.session.get_bind().dialect.name == "postgresql")


def test_an_accentless_summary_finds_the_accented_cases_and_no_unrelated_one(api, case):
    w = case["w"]
    response = api.get(f"/bookings/{case['pending'].id}/related", user=w.secretary)
    assert response.status_code == 200
    data = response.get_json()
    similar = {hit["tracking_code"]: hit for hit in data["similar"]}
    assert case["settled"].tracking_code in similar
    assert case["denounced"].tracking_code in similar
    assert case["unrelated"].tracking_code not in similar
    assert w.booking.tracking_code not in similar  # "cấp giấy chứng nhận …": not similar
    settled = similar[case["settled"].tracking_code]
    assert settled["similarity"] >= 0.3 and settled["status"] == "served"
    assert settled["conclusion"] == ANSWER and settled["outcome"] == "tra_loi"
    assert settled["outcome_text"] and settled["answered_at"]
    assert settled["url"] == f"/minutes/{case['settled'].id}"
    refused = similar[case["denounced"].tracking_code]
    assert refused["decision"]["ground"] == "already_settled"
    assert refused["decision"]["note"] == "Đã giải quyết tại văn bản số 12/TB"
    # The citizen's own earlier case.
    assert codes(data["earlier"]) == {w.booking.tracking_code}


def test_cases_of_another_province_stay_out_of_view(api, case):
    w = case["w"]
    data = api.get(f"/bookings/{case['pending'].id}/related", user=w.secretary).get_json()
    assert case["far"].tracking_code not in codes(data["similar"])
    # The administrator sees every unit.
    data = api.get(f"/bookings/{case['pending'].id}/related", user=w.admin).get_json()
    assert case["far"].tracking_code in codes(data["similar"])
    # The other province's secretary does not even see the booking.
    response = api.get(f"/bookings/{case['pending'].id}/related", user=w.other_secretary)
    assert response.status_code == 404


def test_who_may_read_the_related_cases(api, case):
    w, path = case["w"], f"/bookings/{case['pending'].id}/related"
    for user in (w.secretary, w.host, w.inspector, w.admin):
        assert api.get(path, user=user).status_code == 200, user.role_names
    assert api.get(path).status_code == 401
    assert api.get(path, user=w.officer).status_code == 404
    assert api.get(path, user=w.citizen).status_code == 403
    assert api.get(path, user=w.other_citizen).status_code == 404
    assert api.get("/bookings/999999/related", user=w.secretary).status_code == 404


def test_the_unit_secretary_sees_the_denouncer_and_the_reveal_is_audited(api, case):
    w = case["w"]
    data = api.get(f"/bookings/{case['pending'].id}/related", user=w.secretary).get_json()
    hit = next(h for h in data["similar"] if h["tracking_code"] == case["denounced"].tracking_code)
    assert hit["citizen"] == {"full_name": DENOUNCER, "masked": False}
    assert db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "reveal",
        AuditEvent.target == f"booking:{case['denounced'].id}")) is not None


def test_an_administrator_never_sees_a_denouncer_through_the_panel(api, case):
    w = case["w"]
    response = api.get(f"/bookings/{case['pending'].id}/related", user=w.admin)
    text = json.dumps(response.get_json(), ensure_ascii=False)
    hit = next(h for h in response.get_json()["similar"]
               if h["tracking_code"] == case["denounced"].tracking_code)
    assert hit["citizen"] == {"full_name": WORDS, "masked": True}
    assert DENOUNCER not in text and "L*" not in text and "0977" not in text


def test_a_denunciation_at_triage_ties_no_named_case_to_its_denouncer(api, case):
    """The booking at triage is a denunciation the administrator may not see: its
    denouncer's other cases, however similar, stay out, and no name is given."""
    w = case["w"]
    named = make_booking(make_reception(w.unit, w.host, starts_in_minutes=-60 * 24 * 30),
                         w.citizen, status="served", summary="Đất đai lấn chiếm tại thôn 3")
    secret = make_booking(w.reception, w.citizen, slot_index=3, status="pending",
                          matter_type="to_cao", matter_field="can_bo",
                          summary="Đất đai lấn chiếm tại thôn 3, cán bộ bao che",
                          consent_denunciation_risk_at=utcnow())
    db.session.commit()
    data = api.get(f"/bookings/{secret.id}/related", user=w.admin).get_json()
    text = json.dumps(data, ensure_ascii=False)
    assert data["earlier"] == []
    assert named.tracking_code not in text and case["pending"].tracking_code not in text
    assert w.citizen.full_name not in text
    assert all(hit["citizen"]["masked"] for hit in data["similar"])
    assert {hit["citizen"]["full_name"] for hit in data["similar"]} <= {WORDS, None}
    assert case["settled"].tracking_code in codes(data["similar"])
    # The unit's secretary may know the denouncer: the same citizen's cases are there.
    data = api.get(f"/bookings/{secret.id}/related", user=w.secretary).get_json()
    assert named.tracking_code in codes(data["earlier"])
    assert any(hit["same_citizen"] for hit in data["similar"]
               if hit["tracking_code"] == named.tracking_code)


def test_an_earlier_denunciation_is_listed_only_to_who_may_see_its_denouncer(api, case):
    w = case["w"]
    own = make_booking(make_reception(w.unit, w.host, starts_in_minutes=-60 * 24 * 60),
                       w.citizen, status="served", matter_type="to_cao",
                       matter_field="can_bo", summary="Tố cáo hành vi nhận hối lộ",
                       consent_denunciation_risk_at=utcnow())
    db.session.commit()
    path = f"/bookings/{case['pending'].id}/related"
    assert own.tracking_code in codes(api.get(path, user=w.secretary).get_json()["earlier"])
    assert own.tracking_code not in json.dumps(api.get(path, user=w.admin).get_json())


def test_the_triage_page_shows_the_answers_and_masks_as_the_api_does(client, case):
    w = case["w"]
    sign_in(client, w.secretary)
    html = client.get("/triage").get_data(as_text=True)
    start = html.index(case["pending"].tracking_code)
    card = html[html.rfind("<article", 0, start):html.index("</article>", start)]
    assert 'data-part="similar"' in card and "Vụ việc có nội dung tương tự (2)" in card
    assert case["settled"].tracking_code in card and ANSWER in card
    assert f"/minutes/{case['settled'].id}" in card
    assert case["unrelated"].tracking_code not in card and case["far"].tracking_code not in card
    assert DENOUNCER in card
    admin = make_user("admin")
    db.session.commit()
    sign_in(client, admin)
    html = client.get("/triage").get_data(as_text=True)
    assert case["denounced"].tracking_code in html and WORDS in html
    assert DENOUNCER not in html


def test_the_python_fallback_on_postgresql_agrees(case, monkeypatch):
    """Without the extensions the same cases are found in Python."""
    w = case["w"]
    monkeypatch.setattr(repeats, "_database_search_available", lambda: False)
    found = repeats.related_cases(case["pending"], w.secretary)
    assert {h.booking.id for h in found["similar"]} == {case["settled"].id,
                                                        case["denounced"].id}
