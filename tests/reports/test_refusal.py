"""Form 01/TCD (the written refusal notice): who gets it, for which bookings, and what
it says; its first issue is stored on the booking and every issue audited."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.timeutil import utcnow
from sessions.rules import REFUSAL_GROUNDS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return " ".join(" ".join(parts).split())


def _refused(world, make, ground="already_settled", **fields):
    return make.make_booking(world.reception, world.other_citizen, slot_index=None,
                             status="refused", decision_ground=ground,
                             summary="Khiếu nại việc thu hồi đất năm 2020", **fields)


def test_secretary_gets_form_01_and_its_issue_is_recorded(api, world, make):
    booking = _refused(world, make)
    booking_id = booking.id
    response = api.get(f"/bookings/{booking_id}/refusal-notice.docx", user=world.secretary)
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "attachment" in response.headers["Content-Disposition"]
    text = _text(response.data)
    for words in ("Mẫu số 01/TCD", "THÔNG BÁO", "Về việc từ chối tiếp công dân", "/TB-UBND",
                  "ỦY BAN NHÂN DÂN", "TỈNH TUYÊN QUANG", "Kính gửi: Ông/Bà",
                  "Căn cứ Luật Tiếp công dân, Điều 9 khoản 3",
                  REFUSAL_GROUNDS["already_settled"], "Khiếu nại việc thu hồi đất năm 2020",
                  "TM. ỦY BAN NHÂN DÂN", "Trần Văn Chủ", "Nơi nhận:"):
        assert words in text, words
    booking = db.session.get(type(booking), booking_id)
    first = booking.refusal_notice_issued_at
    assert first is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export",
                                                       AuditEvent.target == f"booking:{booking_id}"))
    assert event.actor_id == world.secretary.id and '"document": "refusal_notice"' in event.detail
    assert api.get(f"/bookings/{booking_id}/refusal-notice.docx",
                   user=world.secretary).status_code == 200
    assert db.session.get(type(booking), booking_id).refusal_notice_issued_at == first
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(
        AuditEvent.target == f"booking:{booking_id}")) == 2


@pytest.mark.parametrize("case", ["accepted", "oral_ground", "no_ground"])
def test_invalid_state_unless_refused_on_a_written_ground(api, world, make, case):
    booking = {"accepted": lambda: world.booking,
               "oral_ground": lambda: _refused(world, make, "threatening"),
               "no_ground": lambda: _refused(world, make, "")}[case]()
    response = api.get(f"/bookings/{booking.id}/refusal-notice.docx", user=world.secretary)
    assert response.status_code == 409 and response.json["error"] == "invalid_state"
    assert db.session.get(type(booking), booking.id).refusal_notice_issued_at is None


def test_unknown_booking_is_404(api, world):
    response = api.get("/bookings/999999/refusal-notice.docx", user=world.secretary)
    assert response.status_code == 404 and response.json["error"] == "not_found"


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("host", 403), ("inspector", 403), ("other_secretary", 404),
    ("officer", 404), ("other_citizen", 403), ("citizen", 404), (None, 401)])
def test_who_gets_form_01(api, world, make, role, status):
    booking = _refused(world, make)  # other_citizen's own booking
    user = getattr(world, role) if role else None
    assert api.get(f"/bookings/{booking.id}/refusal-notice.docx", user=user).status_code \
        == status


def test_a_denouncer_is_printed_as_the_words(api, world, make):
    booking = _refused(world, make, matter_type="to_cao")
    text = _text(api.get(f"/bookings/{booking.id}/refusal-notice.docx",
                         user=world.secretary).data)
    assert "Kính gửi: Người tố cáo (được giữ bí mật)" in text
    name = world.other_citizen.full_name
    assert name not in text and (world.other_citizen.address or "§") not in text


def test_web_download_for_the_secretary_linked_from_the_case_page(client, login, world,
                                                                  make):
    booking = _refused(world, make, decided_at=utcnow())
    db.session.commit()
    login(world.secretary)
    page = client.get(f"/minutes/{booking.id}")
    assert page.status_code == 200
    link = f"/bookings/{booking.id}/refusal-notice.docx"
    assert link in page.get_data(as_text=True)
    assert "Hạn gửi thông báo từ chối (Mẫu 01/TCD)" in page.get_data(as_text=True)
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == DOCX
    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).refusal_notice_issued_at is not None
    assert "đã phát hành lần đầu" in client.get(f"/minutes/{booking.id}").get_data(as_text=True)


def test_web_download_refused_to_others(client, login, world, make):
    booking = _refused(world, make)
    db.session.commit()
    link = f"/bookings/{booking.id}/refusal-notice.docx"
    assert client.get(link).status_code == 302  # to the sign-in page
    login(world.host)
    assert client.get(link).status_code == 403
    assert link not in client.get(f"/minutes/{booking.id}").get_data(as_text=True)


def test_web_download_of_a_booking_without_the_notice(client, login, world):
    db.session.commit()
    login(world.secretary)
    response = client.get(f"/bookings/{world.booking.id}/refusal-notice.docx")
    assert response.status_code == 302
    assert f"/minutes/{world.booking.id}" in response.headers["Location"]


def test_openapi_describes_the_papers(api):
    paths = api.get("/openapi.json").json["paths"]
    assert "/bookings/{id}/refusal-notice.docx" in paths
    assert "/bookings/{id}/conclusion-extract.docx" in paths


def test_the_notice_is_due_three_working_days_after_the_refusal(world, make):
    from datetime import datetime

    from app.bookings.refusal_notices import notice_due

    # refused on Friday 5 March 2027, 10:00 local: due on Wednesday the 10th
    booking = _refused(world, make, decided_at=datetime(2027, 3, 5, 3, 0))
    assert notice_due(booking).due.isoformat() == "2027-03-10"
    assert notice_due(world.booking) is None
