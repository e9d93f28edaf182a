"""The register (XLSX) and the conclusion notice (DOCX), opened and read back."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
import openpyxl
import pytest

from app.documents import builders as documents
from app.extensions import db
from app.minutes.services import save_minutes
from app.reports import services
from app.schedules.models import SessionStatus
from app.tasks.services import create_task
from app.timeutil import local_today, to_local


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _session_day(world) -> date:
    return to_local(world.reception.starts_at).date()


def _register(world):
    day = _session_day(world)
    return _sheet(services.export_register(world.unit, day, day, actor=world.secretary))


def test_register_title_rows_and_official_headings(world):
    sheet = _register(world)
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG"
    assert sheet["F1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert sheet["F2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert sheet["L1"].value == "Mẫu số 03/TCD"
    assert sheet["A3"].value == "SỔ TIẾP CÔNG DÂN"
    assert sheet["A4"].value == "Đơn vị: Ủy ban nhân dân tỉnh Tuyên Quang"
    day = _session_day(world).strftime("%d/%m/%Y")
    assert sheet["A5"].value == f"Từ ngày {day} đến ngày {day}"
    headings = [c.value for c in sheet[documents.REGISTER_HEADER_ROW]]
    assert headings[:5] == ["STT", "Ngày tiếp", "Họ tên, địa chỉ", "Số CCCD/Hộ chiếu",
                            "Tóm tắt nội dung vụ việc"]
    assert len(headings) == 13 and headings[-1] == "Ghi chú"


def test_register_row_values(world):
    save_minutes(world.booking, {"outcome": "thu_ly", "conclusion": "Thụ lý"},
                 actor=world.secretary)
    row = [c.value for c in _register(world)[documents.REGISTER_HEADER_ROW + 2]]
    assert row[0] == 1 and row[1].date() == _session_day(world)
    assert row[2].startswith("Nguyễn Văn An") and "Chiến Thắng" in row[2]
    assert row[3] == "008090001234" and row[5] == "Kiến nghị" and row[6] == 1
    assert row[4] == "Đề nghị cấp giấy chứng nhận quyền sử dụng đất"
    assert row[8] == "x"


def test_register_masks_a_denouncer(world, make):
    make.make_booking(world.reception, make.make_user(
        full_name="Lê Thị Bích", cccd="008190005678", address="Thôn 3"),
        slot_index=1, matter_type="to_cao", summary="Tố cáo cán bộ")
    rows = list(_register(world).iter_rows(min_row=documents.REGISTER_HEADER_ROW + 2,
                                          values_only=True))
    denouncer = rows[1]
    assert denouncer[2] == "Người tố cáo (được giữ bí mật)"
    assert not denouncer[3]  # not even a masked CCCD
    assert denouncer[5] == "Tố cáo"


def test_register_keeps_to_the_period_and_received_cases(world, make):
    later = make.make_reception(world.unit, world.host, starts_in_minutes=60 * 24 * 40)
    make.make_booking(later, world.citizen)
    make.make_booking(world.reception, world.other_citizen, slot_index=2, status="pending")
    make.make_booking(world.reception, world.other_citizen, slot_index=3, status="cancelled")
    rows = list(_register(world).iter_rows(min_row=documents.REGISTER_HEADER_ROW + 2,
                                          values_only=True))
    assert len(rows) == 1


def _end(world) -> None:
    """The session took place: its notice is final."""
    world.reception.status = SessionStatus.HELD
    db.session.flush()


def _notice(world) -> tuple[str, str]:
    document = docx.Document(io.BytesIO(services.export_conclusion(world.reception,
                                                                   actor=world.host)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    return text, cells


def test_conclusion_notice_layout(world):
    text, cells = _notice(world)
    assert "ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG" in cells and "/TB-UBND" in cells
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in cells
    assert documents.vn_date_line("Tuyên Quang", local_today()) in cells
    assert "THÔNG BÁO" in text
    day = _session_day(world).strftime("%d/%m/%Y")
    assert (f"Kết luận của Chủ tịch Ủy ban nhân dân tỉnh Tuyên Quang tại buổi tiếp công dân "
            f"ngày {day}") in text
    assert "Nơi nhận:" in cells and "CHỦ TỊCH" in cells and "Trần Văn Chủ" in cells


def test_motto_is_underlined(world):
    document = docx.Document(io.BytesIO(services.export_conclusion(world.reception,
                                                                   actor=world.host)))
    right = document.tables[0].rows[0].cells[1]
    motto = [r for p in right.paragraphs for r in p.runs if r.text == documents.MOTTO]
    assert motto and motto[0].underline and motto[0].bold


def test_conclusion_notice_cases(world):
    _end(world)
    save_minutes(world.booking, {"conclusion": "Giao Sở Xây dựng kiểm tra, trả lời."},
                 actor=world.secretary)
    create_task(world.booking, {"agency_code": "SXD", "description": "Kiểm tra hiện trạng",
                                "due_date": (local_today() + timedelta(days=9)).isoformat()},
                actor=world.secretary)
    text, cells = _notice(world)
    assert "Công dân: Nguyễn Văn An, địa chỉ: Số 1 đường Chiến Thắng" in text
    assert "Kết luận của Chủ tịch: Giao Sở Xây dựng kiểm tra, trả lời." in text
    due = (local_today() + timedelta(days=9)).strftime("%d/%m/%Y")
    assert f"Giao Sở Xây dựng: Kiểm tra hiện trạng; thời hạn hoàn thành trước ngày {due}" in text
    assert "trả lời công dân theo quy định" in text
    assert "- Sở Xây dựng;" in cells


def test_conclusion_notice_masks_a_denouncer(make):
    from tests.minutes.world import build_world

    world = build_world(make, matter_type="to_cao")
    text, _cells = _notice(world)
    assert "Nguyễn Văn An" not in text and "N***" not in text
    assert "Công dân: Người tố cáo (được giữ bí mật)." in text


def test_deputy_signs_for_the_chairman(world, make):
    _end(world)
    world.reception.acting_host_id = make.make_user("deputy", unit=world.unit,
                                                    full_name="Phạm Thị Phó").id
    text, cells = _notice(world)
    assert "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" in cells and "Phạm Thị Phó" in cells
    assert "Kết luận của Phó Chủ tịch Ủy ban nhân dân" in text


@pytest.mark.parametrize(("day", "line"), [
    (date(2027, 2, 5), "Tuyên Quang, ngày 05 tháng 02 năm 2027"),
    (date(2027, 11, 20), "Tuyên Quang, ngày 20 tháng 11 năm 2027"),
    (date(2027, 3, 9), "Tuyên Quang, ngày 09 tháng 3 năm 2027"),
])
def test_place_and_date_line(day, line):
    assert documents.vn_date_line("Tuyên Quang", day) == line


def test_commune_issuer(world):
    world.reception.unit_id = world.commune.id
    world.reception.unit = world.commune
    issuer = services.issuer_of(world.reception)
    assert (issuer["unit_title"], issuer["place"]) == ("XÃ THƯỢNG LÂM", "Thượng Lâm")


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1,1)"]


@pytest.mark.parametrize("typed", FORMULAS)
def test_register_stores_typed_text_as_text_never_a_formula(world, make, typed):
    citizen = make.make_user(full_name=typed, address=typed, cccd=None)
    make.make_booking(world.reception, citizen, slot_index=1, summary=typed,
                      earlier_case_ref=typed)
    sheet = _register(world)
    row = sheet[documents.REGISTER_HEADER_ROW + 3]
    for cell in (row[2], row[4], row[7]):  # person, summary, earlier handler
        assert cell.data_type == "s" and cell.value.startswith(typed)


# --- the register as Excel reads it -----------------------------------------------------

def _built_register():
    from tests.documents.test_printed import _register as build

    return openpyxl.load_workbook(io.BytesIO(build())).active


def test_register_page_setup():
    sheet = _built_register()
    setup = sheet.page_setup
    assert int(setup.paperSize) == 9 and setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
    assert sheet.print_title_rows == "$6:$7"
    assert sheet.auto_filter.ref.startswith(f"A{documents.REGISTER_HEADER_ROW}:M")
    assert sheet.oddFooter.center.text == "Trang &P/&N"
    margins = sheet.page_margins
    assert all(0.3 <= m <= 1.0 for m in (margins.left, margins.right, margins.top,
                                          margins.bottom))


def test_register_merged_title_cells_do_not_overlap():
    sheet = _built_register()
    cells = [set(r.cells) for r in sheet.merged_cells.ranges]
    for index, first in enumerate(cells):
        for second in cells[index + 1:]:
            assert not first & second
    last = len(documents.REGISTER_COLUMNS)
    form = next(r for r in sheet.merged_cells.ranges if sheet.cell(r.min_row, r.min_col).value
                == "Mẫu số 03/TCD")
    assert form.min_row == 1 and form.max_col == last  # top right, within the printed width


def test_register_fonts_dates_and_heights():
    sheet = _built_register()
    first = documents.REGISTER_HEADER_ROW + 2
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "Times New Roman", cell.coordinate
    dates = [sheet.cell(row, 2) for row in range(first, sheet.max_row + 1)]
    assert all(c.is_date and c.number_format == "dd/mm/yyyy" for c in dates)
    summary = sheet.cell(first, 5)
    assert summary.data_type == "s" and summary.value.startswith("=1+1")
    heights = [sheet.row_dimensions[r].height for r in range(first, first + 4)]
    lengths = [len(sheet.cell(r, 5).value) for r in range(first, first + 4)]
    # a longer summary gets a taller row
    for i in range(4):
        for j in range(4):
            if lengths[i] > lengths[j]:
                assert heights[i] >= heights[j]
    assert max(heights) > min(heights)
    assert sheet.row_dimensions[documents.REGISTER_HEADER_ROW].height >= 45  # wrapped headings
