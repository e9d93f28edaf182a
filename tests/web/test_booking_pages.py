"""Booking web pages: the one-question-per-page flow, my bookings, links, tracking, triage."""

import io
import re
from datetime import timedelta

import pytest

from app.bookings.models import Attachment, Booking
from app.extensions import db
from app.timeutil import iso_local
from tests.bookings.scene import audit_actions, body, build_scene, notifications
from tests.factories import log_in


def login(client, user):
    assert log_in(client, user.email).status_code == 302


def post(client, url, data=None, **kwargs):
    db.session.commit()
    response = client.post(url, data=data or {}, **kwargs)
    db.session.expire_all()
    return response


def _answer_until_check(client, scene, summary="Xin cấp lại sổ đỏ bị mất."):
    """Walk the flow up to "check your answers"; returns the hidden form token."""
    assert client.get(f"/book/unit?province={scene.unit.code}").status_code == 200
    steps = [(f"/book/unit?province={scene.unit.code}", {"unit_code": scene.unit.code}),
             ("/book/session", {"choice": str(scene.reception.id)}),
             ("/book/slot", {"slot_start": iso_local(scene.reception.starts_at)}),
             ("/book/type", {"matter_type": "khieu_nai"}),
             ("/book/field", {"matter_field": "dat_dai"}),
             ("/book/summary", {"summary": summary}),
             ("/book/group", {"group_size": "1"}),
             ("/book/files", {"continue": "1"}),
             ("/book/consents", {"recording": "y"})]
    following = [url.split("?")[0] for url, _data in steps[1:]] + ["/book/check"]
    for (url, data), expected in zip(steps, following, strict=True):
        response = post(client, url, data)
        assert response.location == expected, (url, response.get_data(as_text=True)[:2000])
    page = client.get("/book/check").get_data(as_text=True)
    assert summary in page
    return re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1)


def test_whole_flow_books_once_even_when_submitted_twice(client, scene):
    login(client, scene.citizen)
    token = _answer_until_check(client, scene)
    first = post(client, "/book/check", {"form_token": token})
    second = post(client, "/book/check", {"form_token": token})
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    booking = db.session.scalar(db.select(Booking))
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 1
    assert booking.matter_type == "khieu_nai" and booking.consent_recording_at
    done = client.get(first.location).get_data(as_text=True)
    assert booking.tracking_code in done and f"/bookings/{booking.id}/invite.ics" in done


def test_session_page_preselects_the_first_free_session_and_greys_full_ones(client, make):
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, scene.other_citizen)
    later = make.make_reception(scene.unit, scene.host, starts_in_minutes=60 * 24 * 30)
    login(client, scene.citizen)
    post(client, "/book/unit", {"unit_code": scene.unit.code},
         query_string={"province": scene.unit.code})
    page = client.get("/book/session").get_data(as_text=True)
    assert re.search(rf'value="{later.id}"\s+checked', page)
    assert f'value="w{scene.reception.id}"' in page and "is-full" in page
    assert "Ngày gần nhất còn lượt trống" in page


def test_full_session_choice_joins_the_waitlist(client, make):
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, scene.other_citizen)
    login(client, scene.citizen)
    post(client, "/book/unit", {"unit_code": scene.unit.code},
         query_string={"province": scene.unit.code})
    response = post(client, "/book/session", {"choice": f"w{scene.reception.id}"})
    assert response.location.endswith("/book/type")  # no slot to choose


def test_group_of_five_is_asked_for_representatives(client, scene):
    login(client, scene.citizen)
    _answer_until_check(client, scene)
    response = post(client, "/book/group", {"group_size": "6"})
    assert response.location.endswith("/book/representatives")
    response = post(client, "/book/representatives", {})
    assert "phải cử người đại diện" in response.get_data(as_text=True)
    response = post(client, "/book/representatives", {
        "people-0-full_name": "Trần Thị Bình", "people-0-phone": "0912000111"})
    assert response.status_code == 302


def test_files_are_staged_and_attached_on_submit(client, scene):
    login(client, scene.citizen)
    token = _answer_until_check(client, scene)
    response = post(client, "/book/files", {
        "upload": "1", "files": (io.BytesIO(b"%PDF-1.4 don"), "đơn.pdf")},
        content_type="multipart/form-data")
    assert "đơn.pdf" in response.get_data(as_text=True)
    post(client, "/book/check", {"form_token": token})
    assert db.session.scalar(db.select(Attachment.filename)) == "đơn.pdf"


def test_a_file_that_is_not_pdf_or_image_is_refused(client, scene):
    login(client, scene.citizen)
    _answer_until_check(client, scene)
    response = post(client, "/book/files", {
        "upload": "1", "files": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")},
        content_type="multipart/form-data")
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in response.get_data(as_text=True)


def test_slot_taken_meanwhile_sends_back_to_the_slot_page(client, make, scene):
    login(client, scene.citizen)
    token = _answer_until_check(client, scene)
    make.make_booking(scene.reception, scene.other_citizen, slot_index=0)
    response = post(client, "/book/check", {"form_token": token})
    assert "/book/slot" in response.location
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 1


def test_flow_needs_a_signed_in_citizen(client, scene):
    assert client.get("/book").status_code == 200
    assert "/login" in client.get("/book/session").location
    login(client, scene.secretary)
    assert client.get("/book/session").status_code == 403


def test_steps_cannot_be_skipped(client, scene):
    login(client, scene.citizen)
    assert client.get("/book/check").location.endswith("/book")
    post(client, "/book/unit", {"unit_code": scene.unit.code},
         query_string={"province": scene.unit.code})
    assert client.get("/book/summary").location.endswith("/book/session")


def test_my_bookings_lists_code_status_and_actions(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending")
    login(client, scene.citizen)
    page = client.get("/bookings/mine").get_data(as_text=True)
    assert booking.tracking_code in page and "Chờ xem xét" in page
    for link in ("cancel", "reschedule", "invite.ics"):
        assert f"/bookings/{booking.id}/{link}" in page


def test_cancel_page_asks_then_cancels(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen)
    login(client, scene.citizen)
    assert "Bạn có chắc" in client.get(f"/bookings/{booking.id}/cancel").get_data(as_text=True)
    post(client, f"/bookings/{booking.id}/cancel", {"reason": "Bận việc gia đình"})
    assert booking.status == "cancelled"


def test_reschedule_page_moves_the_booking(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen)
    login(client, scene.citizen)
    new_start = iso_local(scene.reception.starts_at + timedelta(minutes=60))
    page = client.get(f"/bookings/{booking.id}/reschedule").get_data(as_text=True)
    assert new_start in page
    post(client, f"/bookings/{booking.id}/reschedule",
         {"choice": f"{scene.reception.id}|{new_start}"})
    assert iso_local(booking.slot_start) == new_start and booking.ics_sequence == 1


def test_signed_cancel_link_works_without_signing_in(client, api, scene):
    api.post("/bookings", user=scene.citizen, json=body(scene.reception))
    link = re.search(r"http://localhost(/bookings/link/cancel/\S+)",
                     notifications("booking_received")[0].body).group(1)
    assert "Bạn có chắc" in client.get(link).get_data(as_text=True)
    response = post(client, link, {})
    assert "Lịch hẹn đã được hủy" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Booking.status)) == "cancelled"
    assert client.get(link).status_code == 404  # used up


def test_signed_link_with_a_forged_token_is_404(client):
    assert client.get("/bookings/link/cancel/abc.def").status_code == 404
    assert client.get("/bookings/link/delete/abc").status_code == 404


def test_invite_on_the_web_is_for_its_citizen(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen)
    login(client, scene.other_citizen)
    assert client.get(f"/bookings/{booking.id}/invite.ics").status_code == 403
    client.post("/logout")
    login(client, scene.citizen)
    response = client.get(f"/bookings/{booking.id}/invite.ics")
    assert response.mimetype == "text/calendar" and b"METHOD:REQUEST" in response.data


def test_tracking_page_shows_the_timeline_only(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, matter_type="to_cao",
                                summary="Bí mật tố cáo")
    db.session.commit()
    page = client.get("/track", query_string={"code": booking.tracking_code,
                                              "phone_last4": "5678"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đã tiếp nhận" in text
    assert "Nguyễn Văn An" not in text and "Bí mật" not in text
    wrong = client.get("/track", query_string={"code": booking.tracking_code,
                                               "phone_last4": "0000"})
    assert wrong.status_code == 404 and "Không tìm thấy" in wrong.get_data(as_text=True)


def test_triage_lists_pending_bookings_and_reveals_are_audited(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending",
                                matter_type="to_cao", summary="Tố cáo sai phạm đất đai.")
    login(client, scene.secretary)
    page = client.get("/triage").get_data(as_text=True)
    assert "Tố cáo sai phạm đất đai." in page and "Nguyễn Văn An" in page
    assert booking.tracking_code in page and "reveal" in audit_actions()
    post(client, f"/triage/{booking.id}", {"decision": "accept"})
    assert booking.status == "accepted"


def test_triage_shows_the_words_for_a_denouncer_to_an_administrator(client, make, scene):
    make.make_booking(scene.reception, scene.citizen, status="pending", matter_type="to_cao")
    login(client, make.make_user("admin"))
    page = client.get("/triage").get_data(as_text=True)
    assert "Người tố cáo (được giữ bí mật)" in page
    assert "Nguyễn Văn An" not in page and "N***" not in page and "678" not in page


def test_triage_is_for_secretaries_of_the_unit(client, make, scene):
    make.make_booking(scene.reception, scene.citizen, status="pending",
                      summary="Việc riêng của đơn vị khác")
    login(client, make.make_user("secretary", unit=make.make_unit()))
    assert "Việc riêng của đơn vị khác" not in client.get("/triage").get_data(as_text=True)
    client.post("/logout")
    login(client, scene.citizen)
    assert client.get("/triage").status_code == 403


def test_secretary_of_another_unit_cannot_decide(client, make, scene):
    booking = make.make_booking(scene.reception, scene.citizen, status="pending")
    login(client, make.make_user("secretary", unit=make.make_unit()))
    assert post(client, f"/triage/{booking.id}", {"decision": "accept"}).status_code == 403


@pytest.mark.parametrize("url", ["/book", "/track", "/bookings/mine", "/book/session"])
def test_pages_follow_the_csp_and_fit_a_phone(client, scene, url):
    login(client, scene.citizen)
    post(client, "/book/unit", {"unit_code": scene.unit.code},
         query_string={"province": scene.unit.code})
    html = client.get(url).get_data(as_text=True)
    assert 'name="viewport" content="width=device-width' in html
    assert " style=" not in html and " onclick=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_an_accepted_online_booking_leads_to_the_waiting_room(client, make, scene):
    accepted = make.make_booking(scene.reception, scene.citizen, status="accepted")
    pending = make.make_booking(scene.reception, scene.citizen, slot_index=1, status="pending")
    login(client, scene.citizen)
    room = f"/live/{scene.reception.id}/room"
    detail = client.get(f"/bookings/{accepted.id}").get_data(as_text=True)
    assert room in detail and f"/live/{scene.reception.id}/test" in detail
    assert room not in client.get(f"/bookings/{pending.id}").get_data(as_text=True)
    assert room in client.get("/bookings/mine").get_data(as_text=True)


def test_reschedule_page_shows_a_few_days_at_a_time_with_links_both_ways(client, make, scene):
    from tests.factories import add_session

    day = scene.reception.starts_at.date()
    later = [add_session(scene.unit, scene.host, day + timedelta(days=n)) for n in range(1, 6)]
    booking = make.make_booking(scene.reception, scene.citizen)
    login(client, scene.citizen)
    url = f"/bookings/{booking.id}/reschedule"
    first = client.get(url).get_data(as_text=True)
    assert f'value="{scene.reception.id}|' in first
    assert f'value="{later[-1].id}|' not in first  # a later page
    assert f'href="{url}?page=2"' in first and 'rel="prev"' not in first
    last = client.get(f"{url}?page=2").get_data(as_text=True)
    assert f'value="{later[-1].id}|' in last
    assert f'value="{scene.reception.id}|' not in last
    assert f'href="{url}?page=1"' in last and f'action="{url}?page=2"' in last
    for wrong in ("0", "-3", "abc", "99999999999999999999"):
        assert client.get(f"{url}?page={wrong}").status_code == 200
    new_start = iso_local(later[-1].starts_at)
    post(client, f"{url}?page=2", {"choice": f"{later[-1].id}|{new_start}"})
    assert booking.session_id == later[-1].id
