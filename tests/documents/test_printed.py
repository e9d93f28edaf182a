"""The documents as they print: converted to PDF by LibreOffice, read back by poppler.

All the documents of this module are converted in one soffice run (module fixture).
"""

from __future__ import annotations

from datetime import date

import pytest

from app.documents import builders, decree30

ISSUER = {"body": "ỦY BAN NHÂN DÂN", "unit_title": "TỈNH TUYÊN QUANG",
          "unit_phrase": "tỉnh Tuyên Quang", "place": "Tuyên Quang",
          "chairman": "Trần Văn Chủ"}
A4_LANDSCAPE, A4_PORTRAIT = (842, 595), (595, 842)
REGISTER_ROWS = 40
NOTICE_SIZES = range(2, 8)  # cases per notice: the signature falls at many heights


def _register() -> bytes:
    rows = []
    for n in range(1, REGISTER_ROWS + 1):
        rows.append({
            "no": n, "date": date(2027, 2, 1 + n % 27),
            "person": f"Nguyễn Văn Số{n}\nThôn {n}, xã Chiến Thắng, tỉnh Tuyên Quang",
            "id_number": f"0080900{n:05d}",
            "summary": ("=1+1" if n == 1 else "") + "Đề nghị cấp giấy chứng nhận quyền sử "
                       "dụng đất cho thửa đất đã sử dụng ổn định. " * (1 + n % 4),
            "type": "Kiến nghị", "people": 1, "handled_by": "", "within_authority": "x",
            "guided_to": "", "transferred_to": "",
            "follow_up": "SXD: Đang thực hiện (hạn 20/02/2027)", "notes": "Đất đai"})
    return builders.register_xlsx({"issuer": ISSUER, "start": date(2027, 2, 1),
                                   "end": date(2027, 2, 28)}, rows)


def _notice(cases: int, *, draft: bool) -> bytes:
    return builders.conclusion_docx({
        "issuer": ISSUER, "number": "Số:       /TB-UBND", "day": date(2027, 2, 5),
        "draft": draft,
        "title_line": "Kết luận của Chủ tịch Ủy ban nhân dân tỉnh Tuyên Quang tại buổi "
                      "tiếp công dân ngày 05/02/2027",
        "intro": "Ngày 05/02/2027, Chủ tịch Ủy ban nhân dân tỉnh Tuyên Quang chủ trì buổi "
                 "tiếp công dân định kỳ, kết luận như sau:",
        "cases": [{"heading": f"{n}. Vụ việc số TQ{n:04d}", "lines": [
            "Công dân: Người tố cáo (được giữ bí mật).",
            "Nội dung (tố cáo): " + "Tố cáo việc thu tiền trái quy định tại thôn. " * 6,
            "Kết luận của Chủ tịch: Giao Thanh tra tỉnh kiểm tra, báo cáo."]}
            for n in range(1, cases + 1)],
        "closing": "Ủy ban nhân dân tỉnh Tuyên Quang thông báo để biết, thực hiện./.",
        "recipients": ["- Thanh tra tỉnh;", "- Chủ tịch, các PCT UBND tỉnh Tuyên Quang;",
                       "- Ban Tiếp công dân;", "- Lưu: VT, BTCD."],
        "signer": {"authority": ["CHỦ TỊCH"], "name": "Trần Văn Chủ"}})


def _form_01() -> bytes:
    return builders.refusal_notice_docx({
        "issuer": ISSUER, "number": "Số:       /TB-UBND", "day": date(2027, 2, 5),
        "citizen_name": "Lê Thị Bình", "citizen_address": "Thôn 3, xã Thượng Lâm",
        "came": "Ngày 01/02/2027, qua Cổng tiếp công dân trực tuyến (mã vụ việc TQ0001)",
        "matter": "Khiếu nại việc thu hồi đất",
        "ground_text": "Vụ việc đã được giải quyết đúng chính sách, pháp luật",
        "ground_source": "Luật Tiếp công dân, Điều 9 khoản 3",
        "recipients": ["- Như trên;", "- Lưu: VT, hồ sơ."],
        "signer": {"authority": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "name": "Trần Văn Chủ",
                   "sign_note": True}})


def _apology() -> bytes:
    return builders.apology_docx({
        "issuer": ISSUER, "citizen_name": "Lê Thị Bình", "tracking_code": "TQ0001",
        "session_date": date(2027, 1, 5), "agency_name": "Sở Xây dựng",
        "description": "Kiểm tra hiện trạng", "due_date": date(2027, 1, 20),
        "today": date(2027, 2, 5)})


@pytest.fixture(scope="module")
def printed(to_pdf):
    files = {"register.xlsx": _register(), "form01.docx": _form_01(),
             "apology.docx": _apology(), "draft.docx": _notice(5, draft=True)}
    files |= {f"notice{n}.docx": _notice(n, draft=False) for n in NOTICE_SIZES}
    return to_pdf(files)


def test_register_prints_one_page_wide_on_a4_landscape(printed):
    register = printed["register.xlsx"]
    count = len(register.pages)
    assert count >= 2
    assert register.sizes == [A4_LANDSCAPE] * count
    for number, page in enumerate(register.pages, start=1):
        flat = register.flat(page)
        # the first and the last column on every page: nothing spills onto a page of its own
        assert "STT" in flat and "Ghi chú" in flat, number
        assert "Tóm tắt nội dung vụ việc" in flat and "(13)" in flat, number
        assert f"Trang {number}/{count}" in flat


def test_register_title_block_on_the_first_page_only(printed):
    register = printed["register.xlsx"]
    assert [register.flat(p).count("Mẫu số 03/TCD") for p in register.pages] == \
        [1] + [0] * (len(register.pages) - 1)
    first = register.flat(register.pages[0])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "SỔ TIẾP CÔNG DÂN" in first
    assert "Từ ngày 01/02/2027 đến ngày 28/02/2027" in first
    assert all("SỔ TIẾP CÔNG DÂN" not in p for p in register.pages[1:])


def test_register_prints_every_row_with_its_text_as_typed(printed):
    register = printed["register.xlsx"]
    text = register.flat(register.text)
    assert "=1+1Đề nghị cấp giấy" in text
    for n in (1, REGISTER_ROWS // 2, REGISTER_ROWS):
        assert f"Nguyễn Văn Số{n}" in text
    assert "02/02/2027" in text  # the date cells print as dd/mm/yyyy


@pytest.mark.parametrize("name", ["form01.docx", "apology.docx", "draft.docx",
                                  *[f"notice{n}.docx" for n in NOTICE_SIZES]])
def test_letters_print_on_a4_with_the_motto_on_one_line(printed, name):
    document = printed[name]
    assert document.sizes == [A4_PORTRAIT] * len(document.pages)
    lines = [" ".join(line.split()) for line in document.pages[0].splitlines()]
    assert any(decree30.MOTTO_NATION in line for line in lines)
    assert any(decree30.MOTTO in line for line in lines)


@pytest.mark.parametrize("name", ["draft.docx", *[f"notice{n}.docx" for n in NOTICE_SIZES]])
def test_page_numbers_from_page_two(printed, name):
    document = printed[name]
    assert len(document.pages) >= 2 or name == "notice2.docx"
    first_lines = [page.strip().splitlines()[0].strip() for page in document.pages]
    assert first_lines[0] != "1"
    assert first_lines[1:] == [str(n) for n in range(2, len(document.pages) + 1)]


@pytest.mark.parametrize("name", ["form01.docx", "apology.docx", "draft.docx",
                                  *[f"notice{n}.docx" for n in NOTICE_SIZES]])
def test_signer_title_and_name_on_one_page(printed, name):
    document = printed[name]
    page = document.page_of("Trần Văn Chủ")
    assert page is not None
    flat = document.flat(document.pages[page - 1])
    assert "CHỦ TỊCH" in flat and "Nơi nhận:" in flat


def test_draft_until_the_session_ends(printed):
    assert "DỰ THẢO" in printed["draft.docx"].pages[0]
    assert all("DỰ THẢO" not in printed[f"notice{n}.docx"].text for n in NOTICE_SIZES)


def test_form_01_contents(printed):
    form = printed["form01.docx"]
    text = form.flat(form.text)
    for words in ("Mẫu số 01/TCD", "THÔNG BÁO", "Về việc từ chối tiếp công dân",
                  "Kính gửi: Ông/Bà Lê Thị Bình",
                  "Căn cứ Luật Tiếp công dân, Điều 9 khoản 3",
                  "với lý do: Vụ việc đã được giải quyết đúng chính sách, pháp luật",
                  "(Ký, ghi rõ họ tên, đóng dấu)", "- Lưu: VT, hồ sơ.",
                  "Tuyên Quang, ngày 05 tháng 02 năm 2027"):
        assert words in text, words
    assert "DỰ THẢO" not in text
