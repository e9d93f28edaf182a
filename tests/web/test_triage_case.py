"""The triage page shows the whole case: its files, the citizen's other cases, a link
to the full case page; a denouncer stays hidden from whoever may not see them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.bookings.models import Attachment
from app.extensions import db
from app.timeutil import to_local, utcnow
from tests.factories import build_scene, make_booking, make_reception, make_user, sign_in


def _attach(booking, name: str) -> Attachment:
    attachment = Attachment(booking_id=booking.id, filename=name,
                            stored_name=f"t-{booking.id}-{name}", content_type="application/pdf",
                            size=2048, sha256="0" * 64, uploaded_by_id=booking.citizen_id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


@pytest.fixture
def case(app):
    scene = build_scene()
    old_session = make_reception(scene.unit, scene.host, starts_in_minutes=60 * 24 * 40)
    earlier = make_booking(old_session, scene.citizen, status="refused",
                           matter_type="khieu_nai", created_at=utcnow() - timedelta(days=90))
    pending = make_booking(scene.reception, scene.citizen, status="pending",
                           summary="Đề nghị xem xét việc cấp phép xây dựng")
    _attach(pending, "ban-ve-nha-An.pdf")
    db.session.commit()
    return scene, earlier, pending


def _page(client, user) -> str:
    sign_in(client, user)
    return client.get("/triage").get_data(as_text=True)


def test_secretary_sees_files_earlier_cases_and_the_case_link(client, case):
    scene, earlier, pending = case
    html = _page(client, scene.secretary)
    assert "Đề nghị xem xét việc cấp phép xây dựng" in html
    assert "ban-ve-nha-An.pdf" in html
    assert f"/bookings/{pending.id}/files/" in html
    assert earlier.tracking_code in html and "Các vụ việc khác của công dân (1)" in html
    assert to_local(earlier.created_at).strftime("%d/%m/%Y") in html
    assert f"/minutes/{pending.id}" in html


def test_a_hidden_denouncer_shows_no_file_name_and_no_earlier_cases(client, case):
    scene, earlier, _pending = case
    denounced = make_booking(scene.reception, scene.citizen, status="pending", slot_index=2,
                             matter_type="to_cao", matter_field="can_bo",
                             consent_denunciation_risk_at=utcnow())
    _attach(denounced, "don-cua-Nguyen-Van-An.pdf")
    admin = make_user("admin")
    db.session.commit()
    html = _page(client, admin)
    start = html.index(denounced.tracking_code)
    card = html[html.rfind("<article", 0, start):html.index("</article>", start)]
    assert "Người tố cáo (được giữ bí mật)" in card
    assert "don-cua-Nguyen-Van-An.pdf" not in card and "Tài liệu số 1" in card
    assert "Các vụ việc khác" not in card and earlier.tracking_code not in card
    assert scene.citizen.full_name not in card


def test_the_unit_secretary_sees_the_denouncer_and_their_files(client, case):
    scene, earlier, _pending = case
    denounced = make_booking(scene.reception, scene.citizen, status="pending", slot_index=2,
                             matter_type="to_cao", matter_field="can_bo",
                             consent_denunciation_risk_at=utcnow())
    _attach(denounced, "don-cua-Nguyen-Van-An.pdf")
    db.session.commit()
    html = _page(client, scene.secretary)
    assert "don-cua-Nguyen-Van-An.pdf" in html and scene.citizen.full_name in html


def test_an_earlier_denunciation_hidden_from_the_viewer_is_not_listed(client, app):
    scene = build_scene()
    denounced_elsewhere = _elsewhere_denunciation(scene)
    pending = make_booking(scene.reception, scene.citizen, status="pending")
    db.session.commit()
    html = _page(client, scene.secretary)
    assert pending.tracking_code in html
    assert denounced_elsewhere.tracking_code not in html


def _elsewhere_denunciation(scene):
    from tests.factories import make_unit

    unit = make_unit(name="Hà Nội")
    host = make_user("host", unit=unit)
    reception = make_reception(unit, host, starts_in_minutes=60 * 24 * 5)
    return make_booking(reception, scene.citizen, status="accepted", matter_type="to_cao",
                        matter_field="can_bo", consent_denunciation_risk_at=utcnow())
