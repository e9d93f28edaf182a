"""The task page gives its assignee the case: matter type and field, summary and the
minutes' conclusion; of a denunciation, nothing that could name the denouncer."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.minutes.models import Minutes
from app.tasks import services
from app.timeutil import local_today, utcnow
from tests.factories import make_booking
from tests.minutes.world import login


def _task(world, booking):
    return services.create_task(booking, {
        "agency_code": "SXD", "description": "Kiểm tra hiện trạng",
        "due_date": (local_today() + timedelta(days=7)).isoformat()}, actor=world.secretary)


def test_officer_sees_the_case_summary_and_conclusion(client, world):
    db.session.add(Minutes(booking_id=world.booking.id, content="Ông An trình bày.",
                           conclusion="Giao Sở Xây dựng kiểm tra trong 15 ngày."))
    task = _task(world, world.booking)
    db.session.commit()
    login(client, world.officer)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Kiến nghị" in html and "Đất đai" in html
    assert "Đề nghị cấp giấy chứng nhận quyền sử dụng đất" in html
    assert "Giao Sở Xây dựng kiểm tra trong 15 ngày." in html


def test_without_minutes_the_page_says_there_is_no_conclusion(client, world):
    task = _task(world, world.booking)
    db.session.commit()
    login(client, world.officer)
    assert "Chưa có kết luận." in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_a_denunciation_keeps_its_texts_from_the_officer(client, world):
    denounced = make_booking(world.reception, world.other_citizen, slot_index=3,
                             matter_type="to_cao", matter_field="can_bo",
                             summary="Tôi là Lê Văn Tố, tố cáo cán bộ X",
                             consent_denunciation_risk_at=utcnow())
    db.session.add(Minutes(booking_id=denounced.id, content="",
                           conclusion="Ông Lê Văn Tố được bảo vệ."))
    task = _task(world, denounced)
    db.session.commit()
    login(client, world.officer)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Tố cáo" in html
    assert "Lê Văn Tố" not in html
    assert "Được giữ bí mật để bảo vệ người tố cáo." in html


def test_the_unit_secretary_reads_the_denunciation(client, world):
    denounced = make_booking(world.reception, world.other_citizen, slot_index=3,
                             matter_type="to_cao", matter_field="can_bo",
                             summary="Tố cáo cán bộ X nhận tiền",
                             consent_denunciation_risk_at=utcnow())
    task = _task(world, denounced)
    db.session.commit()
    login(client, world.secretary)
    assert "Tố cáo cán bộ X nhận tiền" in client.get(f"/tasks/{task.id}").get_data(
        as_text=True)
