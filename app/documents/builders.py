"""Official documents as files: the register (XLSX), the conclusion notice and the
apology letter (DOCX), in the layout of Decree 30/2020/NĐ-CP.

These builders take plain dicts and return bytes; they query nothing. Official
documents are written in Vietnamese whatever the reader's interface language, so
their texts are constants here, not translatable messages.
"""

from __future__ import annotations

import math
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from ..schedules.models import SessionMode
from ..spreadsheets import put_cell
from .decree30 import MOTTO, MOTTO_NATION, Heading, OfficialDocument, Signer, vn_date_line

__all__ = ["MOTTO", "MOTTO_NATION", "vn_date_line", "register_xlsx", "conclusion_docx",
           "apology_docx", "refusal_notice_docx"]
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


FONT = "Times New Roman"
#: Points a printed line of 11 pt text takes, and a character's share of a column width
#: (column widths count the digits of the default font; Vietnamese text with its
#: diacritics runs a little wider).
LINE_PT, CHAR_WIDTH = 15.0, 1.0
FORM_NUMBER = "Mẫu số 03/TCD"


def _lines(text, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide."""
    if text is None or text == "":
        return 1
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(len(part) * CHAR_WIDTH / usable))
               for part in str(text).split("\n"))


def _fit_row(sheet, row: int, texts: list, widths: list[float], *, size=11) -> None:
    """Make ``row`` as tall as its most wrapped cell."""
    lines = max(_lines(text, width) for text, width in zip(texts, widths, strict=True))
    sheet.row_dimensions[row].height = round(lines * LINE_PT * size / 11 + 4, 1)


def register_xlsx(meta: dict, rows: list[dict]) -> bytes:
    """The register workbook (form 03/TCD): title block, column headings and their
    numbers, one row a case; printed on A4 landscape, one page wide.

    ``meta``: issuer (dict of :func:`app.documents.issuer.issuer_of`), start, end.
    ``rows``: dicts keyed by :data:`REGISTER_KEYS`; ``date`` is a :class:`date`.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ tiếp công dân"
    count = len(REGISTER_COLUMNS)
    last = get_column_letter(count)
    widths = [float(width) for _title, width in REGISTER_COLUMNS]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    issuer = meta["issuer"]
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def title(ref: str, text: str, font: Font, align=center) -> None:
        first = ref.split(":")[0]
        if ":" in ref:
            sheet.merge_cells(ref)
        cell = sheet[first]
        put_cell(sheet, cell.row, cell.column, text)
        cell.font, cell.alignment = font, align

    # the title block: no merged range overlaps another
    title("A1:E1", f"{issuer['body']} {issuer['unit_title']}", Font(name=FONT, bold=True,
                                                                    size=12))
    title("F1:K1", MOTTO_NATION, Font(name=FONT, bold=True, size=12))
    title(f"L1:{last}1", FORM_NUMBER, Font(name=FONT, italic=True, size=11),
          Alignment(horizontal="right", vertical="center"))
    title("F2:K2", MOTTO, Font(name=FONT, bold=True, size=12))
    title(f"A3:{last}3", "SỔ TIẾP CÔNG DÂN", Font(name=FONT, bold=True, size=16))
    title(f"A4:{last}4", f"Đơn vị: Ủy ban nhân dân {issuer['unit_phrase']}",
          Font(name=FONT, size=12))
    title(f"A5:{last}5", f"Từ ngày {meta['start']:%d/%m/%Y} đến ngày {meta['end']:%d/%m/%Y}",
          Font(name=FONT, italic=True, size=12))
    for row, height in ((1, 20), (2, 20), (3, 28), (4, 18), (5, 18)):
        sheet.row_dimensions[row].height = height

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    titles = [title for title, _width in REGISTER_COLUMNS]
    for index, text in enumerate(titles, start=1):
        for row, value in ((REGISTER_HEADER_ROW, text),
                           (REGISTER_HEADER_ROW + 1, f"({index})")):
            cell = put_cell(sheet, row, index, value)
            cell.font = Font(name=FONT, bold=row == REGISTER_HEADER_ROW, size=11)
            cell.alignment, cell.border = center, border
    _fit_row(sheet, REGISTER_HEADER_ROW, titles, widths)
    sheet.row_dimensions[REGISTER_HEADER_ROW + 1].height = 16
    body_font = Font(name=FONT, size=11)
    first_row = REGISTER_HEADER_ROW + 2
    for offset, row in enumerate(rows):
        number = first_row + offset
        values = [row.get(key) for key in REGISTER_KEYS]
        for index, value in enumerate(values, start=1):
            cell = put_cell(sheet, number, index, value)
            cell.alignment, cell.border, cell.font = wrap, border, body_font
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
        shown = [f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in values]
        _fit_row(sheet, number, shown, widths)
    last_row = max(first_row + len(rows) - 1, REGISTER_HEADER_ROW + 1)
    sheet.auto_filter.ref = f"A{REGISTER_HEADER_ROW}:{last}{last_row}"
    sheet.freeze_panes = f"A{first_row}"
    sheet.print_title_rows = f"{REGISTER_HEADER_ROW}:{REGISTER_HEADER_ROW + 1}"
    sheet.print_area = f"A1:{last}{last_row}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left, margins.right = 0.6, 0.4
    margins.top, margins.bottom = 0.6, 0.7
    margins.header, margins.footer = 0.3, 0.3
    sheet.oddFooter.center.text = "Trang &P/&N"
    sheet.oddFooter.center.font = f"{FONT},Regular"
    sheet.oddFooter.center.size = 10
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- DOCX in the layout of Decree 30/2020 (app/documents/decree30.py) -----------------

def conclusion_docx(data: dict) -> bytes:
    """The notice of the chairman's conclusions (Thông báo kết luận) of one session, or
    an extract of it for one case.

    ``data``: issuer, number, day, draft, title_line, (extract_line), addressee, intro,
    cases (each a dict with heading, lines), closing, recipients, signer.
    """
    doc = OfficialDocument(Heading(data["issuer"], data["number"], data["day"],
                                   draft=data.get("draft", False)))
    subtitles = [data["title_line"]]
    if data.get("extract_line"):
        subtitles.append(data["extract_line"])
    doc.title("THÔNG BÁO", *subtitles)
    if data.get("addressee"):
        doc.addressee(data["addressee"])
    doc.body(data["intro"])
    if not data["cases"]:
        doc.body("Buổi tiếp không có vụ việc nào được tiếp nhận.", italic=True)
    for case in data["cases"]:
        doc.body(case["heading"], bold=True)
        for line in case["lines"]:
            doc.body(line)
    doc.body(data["closing"])
    doc.signature(data["recipients"], Signer(**data["signer"]))
    return doc.bytes()


def apology_docx(data: dict) -> bytes:
    """The apology letter (thư xin lỗi) to a citizen for a case settled late.

    ``copy_to_agency`` False leaves the agency out of "Nơi nhận" (a denouncer's letter
    names them, and the agency is often the body denounced)."""
    issuer = data["issuer"]
    doc = OfficialDocument(Heading(issuer, "Số:       /TXL-UBND", data["today"]))
    doc.title("THƯ XIN LỖI")
    doc.addressee(f"Kính gửi: Ông/Bà {data['citizen_name']}")
    doc.body(
        f"Ngày {data['session_date']:%d/%m/%Y}, ông/bà đã được tiếp tại buổi tiếp công dân "
        f"của Ủy ban nhân dân {issuer['unit_phrase']} (mã tra cứu vụ việc "
        f"{data['tracking_code']}). Sau buổi tiếp, {data['agency_name']} được giao: "
        f"{data['description']}, thời hạn hoàn thành ngày {data['due_date']:%d/%m/%Y}.")
    doc.body(
        "Đến nay, việc giải quyết chưa hoàn thành đúng thời hạn đã thông báo. Ủy ban nhân "
        f"dân {issuer['unit_phrase']} thành thật xin lỗi ông/bà về sự chậm trễ này và đã "
        "chỉ đạo cơ quan có trách nhiệm khẩn trương hoàn thành, trả lời ông/bà trong thời "
        "gian sớm nhất.")
    doc.body("Ông/Bà có thể theo dõi tiến độ giải quyết bằng mã tra cứu "
             f"{data['tracking_code']} trên Cổng tiếp công dân trực tuyến.")
    doc.body("Trân trọng./.")
    recipients = [f"- Ông/Bà {data['citizen_name']};"]
    if data.get("copy_to_agency", True):
        recipients.append(f"- {data['agency_name']};")
    doc.signature([*recipients, "- Lưu: VT, BTCD."],
                  Signer(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], issuer.get("chairman", "")))
    return doc.bytes()


def refusal_notice_docx(data: dict) -> bytes:
    """Form 01/TCD: the written notice refusing to receive a citizen (Thông báo về việc
    từ chối tiếp công dân), for the grounds that require it.

    ``data``: issuer, number, day, citizen_name (``masked``: it is the words printed in
    place of a denouncer), citizen_address, came (when and where the request was made),
    matter (what it is about), ground_text, ground_source, recipients, signer.
    """
    issuer = data["issuer"]
    doc = OfficialDocument(Heading(issuer, data["number"], data["day"],
                                   form="Mẫu số 01/TCD"))
    doc.title("THÔNG BÁO", "Về việc từ chối tiếp công dân")
    name = data["citizen_name"]
    masked = data.get("masked", False)
    doc.addressee(f"Kính gửi: {name if masked else 'Ông/Bà ' + name}")
    who = name if masked else f"ông/bà {name}"
    if data.get("citizen_address"):
        doc.body(f"Địa chỉ: {data['citizen_address']}", indent=False)
    doc.body(f"{data['came']}, {who} đề nghị được tiếp để trình bày về việc: "
             f"{data['matter'].rstrip('.')}.")
    doc.body(f"Căn cứ {data['ground_source']}, Ủy ban nhân dân {issuer['unit_phrase']} "
             f"thông báo từ chối tiếp công dân đối với {who}, với lý do: "
             f"{data['ground_text']}.")
    doc.body(f"Vậy, Ủy ban nhân dân {issuer['unit_phrase']} thông báo để {who} được biết./.")
    doc.signature(data["recipients"], Signer(**data["signer"]))
    return doc.bytes()
