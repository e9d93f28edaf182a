"""Official documents as files: the register (XLSX), the conclusion notice and the
apology letter (DOCX), in the layout of Decree 30/2020/NĐ-CP.

These builders take plain dicts and return bytes; they query nothing. Official
documents are written in Vietnamese whatever the reader's interface language, so
their texts are constants here, not translatable messages.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..schedules.models import SessionMode
from ..spreadsheets import put_cell

MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MATTER_TYPES = {"khieu_nai": "Khiếu nại", "to_cao": "Tố cáo", "kien_nghi": "Kiến nghị",
                "phan_anh": "Phản ánh"}
MATTER_FIELDS = {"dat_dai": "Đất đai", "moi_truong": "Môi trường", "xay_dung": "Xây dựng",
                 "chinh_sach": "Chính sách xã hội", "can_bo": "Cán bộ, công chức",
                 "tu_phap": "Tư pháp", "khac": "Khác"}
MODES = {SessionMode.ONLINE: "trực tuyến", SessionMode.IN_PERSON: "trực tiếp",
         SessionMode.HYBRID: "trực tiếp kết hợp trực tuyến"}

# --- the register (Sổ tiếp công dân, form 03/TCD) -----------------------------------

REGISTER_COLUMNS = (
    ("STT", 6), ("Ngày tiếp", 12), ("Họ tên, địa chỉ", 28), ("Số CCCD/Hộ chiếu", 16),
    ("Tóm tắt nội dung vụ việc", 40),
    ("Phân loại (khiếu nại, tố cáo, kiến nghị, phản ánh)", 14),
    ("Số người cùng nội dung", 10), ("Cơ quan, tổ chức đã giải quyết", 20),
    ("Thuộc thẩm quyền (x)", 10),
    ("Hướng dẫn (cơ quan, số văn bản)", 22),
    ("Cơ quan, tổ chức tiếp nhận vụ việc (số văn bản chuyển)", 22),
    ("Theo dõi kết quả giải quyết", 30), ("Ghi chú", 20),
)
#: The row of the column headings (title rows come before it).
REGISTER_HEADER_ROW = 6
REGISTER_KEYS = ("no", "date", "person", "id_number", "summary", "type", "people",
                 "handled_by", "within_authority", "guided_to", "transferred_to",
                 "follow_up", "notes")


def vn_date_line(place: str, day: date) -> str:
    """``Tuyên Quang, ngày 05 tháng 02 năm 2027`` (days below 10 and months below 3
    take a leading zero, Decree 30/2020 Appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def register_xlsx(meta: dict, rows: list[dict]) -> bytes:
    """The register workbook: title rows, column headings, their numbers, one row a case.

    ``meta``: issuer (dict of :func:`app.documents.issuer.issuer_of`), start, end.
    ``rows``: dicts keyed by :data:`REGISTER_KEYS`.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ tiếp công dân"
    last = get_column_letter(len(REGISTER_COLUMNS))
    issuer = meta["issuer"]
    titles = [
        (f"{issuer['body']} {issuer['unit_title']}", Font(bold=True, size=12)),
        ("SỔ TIẾP CÔNG DÂN", Font(bold=True, size=16)),
        (f"Đơn vị: Ủy ban nhân dân {issuer['unit_phrase']}", Font(size=12)),
        (f"Từ ngày {meta['start']:%d/%m/%Y} đến ngày {meta['end']:%d/%m/%Y}",
         Font(italic=True, size=12)),
    ]
    for number, (text, font) in enumerate(titles, start=1):
        sheet.merge_cells(f"A{number}:{last}{number}")
        cell = put_cell(sheet, number, 1, text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
    put_cell(sheet, 5, len(REGISTER_COLUMNS), "Mẫu số 03/TCD").font = \
        Font(italic=True, size=10)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (title, width) in enumerate(REGISTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        for row, value in ((REGISTER_HEADER_ROW, title),
                           (REGISTER_HEADER_ROW + 1, f"({index})")):
            cell = put_cell(sheet, row, index, value)
            cell.font = Font(bold=row == REGISTER_HEADER_ROW)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
    for offset, row in enumerate(rows):
        for index, key in enumerate(REGISTER_KEYS, start=1):
            cell = put_cell(sheet, REGISTER_HEADER_ROW + 2 + offset, index, row.get(key))
            cell.alignment, cell.border = wrap, border
    sheet.freeze_panes = f"A{REGISTER_HEADER_ROW + 2}"
    sheet.print_title_rows = f"{REGISTER_HEADER_ROW}:{REGISTER_HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- DOCX in the layout of Decree 30/2020 --------------------------------------------

def _new_document() -> Document:
    """A4, margins 20/20/30/15 mm, Times New Roman 14 (Decree 30/2020 Appendix I)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    normal.paragraph_format.space_after = Pt(6)
    return document


def _line(cell_or_doc, text: str, *, bold=False, italic=False, underline=False, size=None,
          align=WD_ALIGN_PARAGRAPH.CENTER, first=False):
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    return paragraph


def _heading_block(document, issuer: dict, number: str, day: date) -> None:
    """Issuing body and number top left; the national motto, place and date top right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    _line(left, issuer["body"], bold=True, size=13, first=True)
    _line(left, issuer["unit_title"], bold=True, size=13)
    _line(left, number, size=13).paragraph_format.space_before = Pt(6)
    _line(right, MOTTO_NATION, bold=True, size=13, first=True)
    _line(right, MOTTO, bold=True, underline=True, size=14)
    _line(right, vn_date_line(issuer["place"], day), italic=True,
          size=14).paragraph_format.space_before = Pt(6)


def _body(document, text: str, *, bold=False, italic=False):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(10)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    return paragraph


def _signature_block(document, recipients: list[str], signer: dict) -> None:
    """Recipients (Nơi nhận) bottom left; the signer's authority and name bottom right."""
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    _line(left, "Nơi nhận:", bold=True, italic=True, size=12, first=True,
          align=WD_ALIGN_PARAGRAPH.LEFT)
    for item in recipients:
        _line(left, item, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    for text in signer["authority"]:
        _line(right, text, bold=True, size=14, first=first)
        first = False
    for _blank in range(3):
        _line(right, "")
    _line(right, signer["name"], bold=True, size=14)


def _save(document) -> bytes:
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def conclusion_docx(data: dict) -> bytes:
    """The notice of the chairman's conclusions (Thông báo kết luận) of one session.

    ``data``: issuer, number, day, title_line, intro, cases (each a dict with
    heading, lines), closing, recipients, signer.
    """
    document = _new_document()
    _heading_block(document, data["issuer"], data["number"], data["day"])
    _line(document, "THÔNG BÁO", bold=True, size=14).paragraph_format.space_before = Pt(18)
    _line(document, data["title_line"], bold=True, size=14)
    _line(document, "―――――", size=10).paragraph_format.space_after = Pt(12)
    _body(document, data["intro"])
    if not data["cases"]:
        _body(document, "Buổi tiếp không có vụ việc nào được tiếp nhận.", italic=True)
    for case in data["cases"]:
        _body(document, case["heading"], bold=True)
        for line in case["lines"]:
            _body(document, line)
    _body(document, data["closing"])
    _signature_block(document, data["recipients"], data["signer"])
    return _save(document)


def apology_docx(data: dict) -> bytes:
    """The apology letter (thư xin lỗi) to a citizen for a case settled late.

    ``copy_to_agency`` False leaves the agency out of "Nơi nhận" (a denouncer's letter
    names them, and the agency is often the body denounced)."""
    issuer = data["issuer"]
    document = _new_document()
    _heading_block(document, issuer, "Số:       /TXL-UBND", data["today"])
    _line(document, "THƯ XIN LỖI", bold=True, size=14).paragraph_format.space_before = Pt(18)
    _line(document, f"Kính gửi: Ông/Bà {data['citizen_name']}",
          size=14).paragraph_format.space_after = Pt(12)
    _body(document, (
        f"Ngày {data['session_date']:%d/%m/%Y}, ông/bà đã được tiếp tại buổi tiếp công dân "
        f"của Ủy ban nhân dân {issuer['unit_phrase']} (mã tra cứu vụ việc "
        f"{data['tracking_code']}). Sau buổi tiếp, {data['agency_name']} được giao: "
        f"{data['description']}, thời hạn hoàn thành ngày {data['due_date']:%d/%m/%Y}."))
    _body(document, (
        "Đến nay, việc giải quyết chưa hoàn thành đúng thời hạn đã thông báo. Ủy ban nhân "
        f"dân {issuer['unit_phrase']} thành thật xin lỗi ông/bà về sự chậm trễ này và đã "
        "chỉ đạo cơ quan có trách nhiệm khẩn trương hoàn thành, trả lời ông/bà trong thời "
        "gian sớm nhất."))
    _body(document, ("Ông/Bà có thể theo dõi tiến độ giải quyết bằng mã tra cứu "
                     f"{data['tracking_code']} trên Cổng tiếp công dân trực tuyến."))
    _body(document, "Trân trọng./.")
    recipients = [f"- Ông/Bà {data['citizen_name']};"]
    if data.get("copy_to_agency", True):
        recipients.append(f"- {data['agency_name']};")
    _signature_block(document, [*recipients, "- Lưu: VT, BTCD."],
                     {"authority": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
                      "name": issuer.get("chairman", "")})
    return _save(document)
