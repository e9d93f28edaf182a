"""The conclusion notice: a draft until the session ends, sent to agencies and chairmen
(not the citizens), and each citizen's extract of their own case."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest

from app.extensions import db
from app.minutes.services import save_minutes
from app.reports import services
from app.schedules.models import SessionStatus
from app.tasks.services import create_task
from app.timeutil import local_today, utcnow

DENOUNCER = "Người tố cáo (được giữ bí mật)"


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return " ".join(" ".join(parts).split())


def _notice(world) -> str:
    return _text(services.export_conclusion(world.reception, actor=world.host))


def _past(world) -> None:
    """The session's end time has passed (it was never closed by the host)."""
    world.reception.starts_at = utcnow() - timedelta(hours=3)
    world.reception.ends_at = utcnow() - timedelta(minutes=1)
    db.session.flush()


def test_a_draft_before_the_session(world):
    text = _notice(world)
    assert text.startswith("DỰ THẢO")
    assert "sẽ tiếp công dân" in text
    for words in ("đã tiếp", "chủ trì buổi tiếp", "Sau khi nghe công dân trình bày",
                  "Kết luận của Chủ tịch:"):
        assert words not in text


@pytest.mark.parametrize("ended", ["held", "time_passed"])
def test_final_once_the_session_has_ended(world, ended):
    if ended == "held":
        world.reception.status = SessionStatus.HELD
    else:
        _past(world)
    text = _notice(world)
    assert "DỰ THẢO" not in text and "sẽ tiếp công dân" not in text
    assert "chủ trì buổi tiếp công dân" in text and "Kết luận của Chủ tịch:" in text


def test_recipients_are_the_agencies_the_chairmen_and_the_archive(world):
    world.reception.status = SessionStatus.HELD
    create_task(world.booking, {"agency_code": "SXD", "description": "Kiểm tra",
                                "due_date": (local_today() + timedelta(days=9)).isoformat()},
                actor=world.secretary)
    text = _notice(world)
    recipients = text[text.index("Nơi nhận:"):]
    assert "- Sở Xây dựng;" in recipients and "- Lưu: VT" in recipients
    assert "Chủ tịch, các PCT UBND tỉnh Tuyên Quang" in recipients
    assert "Công dân có tên trên" not in text and "Nguyễn Văn An;" not in recipients


def _other_case(world, make):
    return make.make_booking(world.reception, world.other_citizen, slot_index=1,
                             summary="Phản ánh ô nhiễm tiếng ồn của xưởng gỗ")


def test_the_extract_holds_only_the_citizens_case(api, world, make):
    world.reception.status = SessionStatus.HELD
    other = _other_case(world, make)
    save_minutes(world.booking, {"conclusion": "Giao Sở Xây dựng kiểm tra."},
                 actor=world.secretary)
    response = api.get(f"/bookings/{world.booking.id}/conclusion-extract.docx",
                       user=world.citizen)
    assert response.status_code == 200
    text = _text(response.data)
    assert world.booking.tracking_code in text and "Giao Sở Xây dựng kiểm tra." in text
    assert "Kính gửi: Ông/Bà Nguyễn Văn An" in text and "Trích" in text
    assert other.tracking_code not in text and "tiếng ồn" not in text


def test_an_extract_before_the_session_is_a_draft(api, world):
    text = _text(api.get(f"/bookings/{world.booking.id}/conclusion-extract.docx",
                         user=world.secretary).data)
    assert text.startswith("DỰ THẢO") and "sẽ tiếp công dân" in text


@pytest.mark.parametrize(("role", "status"), [
    ("citizen", 200), ("host", 200), ("secretary", 200), ("admin", 200),
    ("other_citizen", 404), ("other_secretary", 404), ("officer", 404),
    ("inspector", 403), (None, 401)])
def test_who_gets_an_extract(api, world, role, status):
    user = getattr(world, role) if role else None
    assert api.get(f"/bookings/{world.booking.id}/conclusion-extract.docx",
                   user=user).status_code == status


@pytest.mark.parametrize(("role", "status"), [
    ("citizen", 200), ("host", 200), ("secretary", 200), ("admin", 403), ("inspector", 403)])
def test_a_denouncers_extract_only_for_those_who_may_see_them(api, make, role, status):
    from tests.minutes.world import build_world

    world = build_world(make, matter_type="to_cao")
    user = getattr(world, role)
    response = api.get(f"/bookings/{world.booking.id}/conclusion-extract.docx", user=user)
    assert response.status_code == status
    if status == 200:
        text = _text(response.data)
        assert DENOUNCER in text and "Nguyễn Văn An" not in text


def test_no_extract_for_a_booking_not_received(api, world, make):
    pending = make.make_booking(world.reception, world.citizen, slot_index=2,
                                status="pending")
    response = api.get(f"/bookings/{pending.id}/conclusion-extract.docx", user=world.citizen)
    assert response.status_code == 409 and response.json["error"] == "invalid_state"
    assert api.get("/bookings/999999/conclusion-extract.docx",
                   user=world.secretary).status_code == 404


def test_the_citizen_downloads_the_extract_from_the_booking_page(client, login, world, make):
    db.session.commit()
    login(world.citizen)
    link = f"/reports/bookings/{world.booking.id}/conclusion-extract.docx"
    assert link in client.get(f"/bookings/{world.booking.id}").get_data(as_text=True)
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype.endswith("document")
    login(world.other_citizen)
    assert client.get(link).status_code == 403
