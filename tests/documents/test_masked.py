"""A denouncer is printed as the words in every document, and typed text stays text:
the register, the notice, the extract, the agency's apology letter and form 01/TCD,
built from the database and printed by LibreOffice (one soffice run per database)."""

from __future__ import annotations

from datetime import timedelta

from app.reports import refusal, services
from app.schedules.models import SessionStatus
from app.tasks.apology import agency_apology_docx
from app.tasks.services import create_task
from app.timeutil import local_today, to_local

DENOUNCER = "Người tố cáo (được giữ bí mật)"


def test_a_denouncer_is_masked_in_every_printed_document(world, make, to_pdf):
    secret = make.make_user(full_name="Hoàng Thị Quyên", cccd="008190009876",
                            address="Xóm Đồi Thông, xã Thượng Lâm", phone="0912345678")
    denounced = make.make_booking(world.reception, secret, slot_index=1, matter_type="to_cao",
                                  summary="=1+1 Tố cáo cán bộ thu tiền trái quy định")
    refused = make.make_booking(world.reception, secret, slot_index=None, status="refused",
                                matter_type="to_cao", decision_ground="already_settled",
                                summary="Tố cáo đã được giải quyết")
    world.reception.status = SessionStatus.HELD
    task = create_task(denounced, {"agency_code": "SXD", "description": "Xác minh",
                                   "due_date": (local_today() + timedelta(days=9)).isoformat()},
                       actor=world.secretary)
    day = to_local(world.reception.starts_at).date()
    files = {
        "register.xlsx": services.export_register(world.unit, day, day, actor=world.secretary),
        "notice.docx": services.export_conclusion(world.reception, actor=world.host),
        "extract.docx": services.export_conclusion_extract(denounced, actor=world.secretary),
        "apology.docx": agency_apology_docx(task),
        "form01.docx": refusal.export_refusal_notice(refused, actor=world.secretary),
    }
    printed = to_pdf(files)
    for name, document in printed.items():
        text = document.flat(document.text)
        assert DENOUNCER in text, name
        for secret_bit in ("Hoàng", "Quyên", "008190009876", "9876", "Đồi Thông", "0912345678"):
            assert secret_bit not in text, (name, secret_bit)
    for name in ("register.xlsx", "notice.docx", "extract.docx"):
        assert "=1+1 Tố cáo cán bộ" in printed[name].flat(printed[name].text), name
    # the other citizen, who is no denouncer, is named where the register names people
    assert "Nguyễn Văn An" in printed["register.xlsx"].text
