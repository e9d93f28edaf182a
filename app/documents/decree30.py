"""The layout of administrative documents of Decree 30/2020/NĐ-CP (Appendix I), for DOCX.

One template for every letter the portal prints (the conclusion notice and its
extracts, the apology letter, form 01/TCD):

- A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm;
- Times New Roman 14 pt for every script (``w:rFonts`` ascii, hAnsi, cs and eastAsia),
  document language ``vi-VN`` (``w:lang`` in the styles' ``rPrDefault``);
- the heading: a two-column table of fixed widths (``w:tblGrid``/``w:gridCol`` and
  ``w:tcW``, fixed layout), the issuing body and the number on the left, the national
  motto (12 pt bold, one line) and "Độc lập - Tự do - Hạnh phúc" on the right, then the
  place and date in italics;
- page numbers (a ``PAGE`` field) centred in the header from page 2 on (``w:titlePg``);
- the recipients ("Nơi nhận:") and the signature in one table row that cannot split
  across pages (``w:cantSplit``), each paragraph also kept with the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "Times New Roman"
LANGUAGE = "vi-VN"
BODY_PT = 14
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
#: The printed width (210 - 30 - 15 mm) and the two columns of the heading and of the
#: signature block; the motto in 12 pt bold needs about 100 mm.
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
HEADING_COLUMNS_MM = (62, TEXT_MM - 62)
SIGNATURE_COLUMNS_MM = (80, TEXT_MM - 80)
SIGN_NOTE = "(Ký, ghi rõ họ tên, đóng dấu)"
DRAFT = "DỰ THẢO"


def twips(mm: float) -> int:
    """Millimetres in twentieths of a point (the unit of ``w:tcW`` and ``w:gridCol``)."""
    return round(mm * 1440 / 25.4)


def vn_date_line(place: str, day: date) -> str:
    """``Tuyên Quang, ngày 05 tháng 02 năm 2027`` (days below 10 and months below 3
    take a leading zero, Decree 30/2020 Appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class Signer:
    """Who signs: the authority lines (``TM. ỦY BAN NHÂN DÂN``, ``CHỦ TỊCH``) and the name."""

    authority: list[str]
    name: str
    sign_note: bool = False


@dataclass
class Heading:
    """The heading of a document: issuer (``body``, ``unit_title``, ``place``), number,
    date; ``draft`` puts DỰ THẢO and ``form`` the form's number ("Mẫu số 01/TCD") above it."""

    issuer: dict
    number: str
    day: date
    draft: bool = False
    form: str = ""


# --- low-level XML -------------------------------------------------------------------

def _set(parent, tag: str, **attrs):
    """The child ``tag`` of ``parent`` (created when absent) with ``attrs`` set."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        parent.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def _fonts(rpr) -> None:
    fonts = _set(rpr, "w:rFonts")
    for key in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{key}"), FONT)


def _styles(document) -> None:
    """Times New Roman and vi-VN as the document defaults and in the Normal style."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = _set(defaults, "w:rPrDefault")
    rpr = _set(rpr_default, "w:rPr")
    _fonts(rpr)
    _set(rpr, "w:sz", val=BODY_PT * 2)
    _set(rpr, "w:szCs", val=BODY_PT * 2)
    _set(rpr, "w:lang", val=LANGUAGE, eastAsia=LANGUAGE, bidi="ar-SA")
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    _set(normal.element.get_or_add_rPr(), "w:lang", val=LANGUAGE, eastAsia=LANGUAGE)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Header", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        _fonts(style.element.get_or_add_rPr())


def _run(paragraph, text: str, *, bold=False, italic=False, underline=False, size=None):
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name = FONT
    _fonts(run._r.get_or_add_rPr())
    if size:
        run.font.size = Pt(size)
    return run


def _table(document, widths_mm: tuple[float, float], *, cant_split=False):
    """A borderless one-row table whose column widths hold in Word and LibreOffice."""
    table = document.add_table(rows=1, cols=len(widths_mm))
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    _set(tbl_pr, "w:tblW", w=twips(sum(widths_mm)), type="dxa")
    _set(tbl_pr, "w:tblLayout", type="fixed")
    _set(tbl_pr, "w:tblInd", w=0, type="dxa")
    margins = _set(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        _set(margins, f"w:{side}", w=0, type="dxa")
    borders = _set(tbl_pr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{side}", val="nil")
    grid = tbl.tblGrid
    for col, mm in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(twips(mm)))
    for cell, mm in zip(table.rows[0].cells, widths_mm, strict=True):
        cell.width = Mm(mm)
        _set(cell._tc.get_or_add_tcPr(), "w:tcW", w=twips(mm), type="dxa")
    if cant_split:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        _set(tr_pr, "w:cantSplit")
    return table


# --- the document --------------------------------------------------------------------

class OfficialDocument:
    """A document in the layout of Decree 30/2020: heading, title, body, signature."""

    def __init__(self, heading: Heading):
        self.document = document = Document()
        section = document.sections[0]
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), \
            Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), \
            Mm(MARGINS_MM["right"])
        section.header_distance = section.footer_distance = Mm(10)
        _styles(document)
        self._page_numbers(section)
        self._heading(heading)

    # the header: page numbers from page 2
    @staticmethod
    def _page_numbers(section) -> None:
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _run(paragraph, "", size=13)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None),
                           (None, "2"), ("end", None)):
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                value = OxmlElement("w:t")
                value.text = text
                run._r.append(value)
        first = section.first_page_header.paragraphs[0]
        first.text = ""

    def line(self, container, text: str, *, bold=False, italic=False, underline=False,
             size=None, align=WD_ALIGN_PARAGRAPH.CENTER, first=False, keep=False,
             before=0, after=0):
        paragraph = container.paragraphs[0] if first else container.add_paragraph()
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        if keep:
            fmt.keep_with_next = fmt.keep_together = True
        _run(paragraph, text, bold=bold, italic=italic, underline=underline, size=size)
        return paragraph

    def _heading(self, heading: Heading) -> None:
        document, issuer = self.document, heading.issuer
        if heading.draft or heading.form:
            words = "  ".join(filter(None, [DRAFT if heading.draft else "", heading.form]))
            self.line(document, words, bold=heading.draft, italic=not heading.draft,
                      size=13 if heading.draft else 12, align=WD_ALIGN_PARAGRAPH.RIGHT,
                      after=6)
        table = _table(document, HEADING_COLUMNS_MM)
        left, right = table.rows[0].cells
        self.line(left, issuer["body"], size=13, first=True)
        self.line(left, issuer["unit_title"], bold=True, size=13)
        self.line(left, heading.number, size=13, before=6)
        self.line(right, MOTTO_NATION, bold=True, size=12, first=True)
        self.line(right, MOTTO, bold=True, underline=True, size=13)
        self.line(right, vn_date_line(issuer["place"], heading.day), italic=True, size=14,
                  before=6)

    def title(self, name: str, *subtitles: str) -> None:
        self.line(self.document, name, bold=True, size=14, before=18, keep=True)
        for text in subtitles:
            self.line(self.document, text, bold=True, size=14, keep=True)
        self.line(self.document, "―――――", size=10, after=12, keep=True)

    def addressee(self, text: str) -> None:
        self.line(self.document, text, size=14, after=12)

    def body(self, text: str, *, bold=False, italic=False, indent=True):
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = paragraph.paragraph_format
        fmt.space_after = Pt(6)
        if indent:
            fmt.first_line_indent = Mm(10)
        _run(paragraph, text, bold=bold, italic=italic)
        return paragraph

    def signature(self, recipients: list[str], signer: Signer) -> None:
        """"Nơi nhận:" bottom left, the signer bottom right, in one row that never splits."""
        spacer = self.document.add_paragraph()
        spacer.paragraph_format.keep_with_next = True
        spacer.paragraph_format.space_after = Pt(0)
        table = _table(self.document, SIGNATURE_COLUMNS_MM, cant_split=True)
        left, right = table.rows[0].cells
        left_align = WD_ALIGN_PARAGRAPH.LEFT
        self.line(left, "Nơi nhận:", bold=True, italic=True, size=12, first=True,
                  align=left_align, keep=True)
        for item in recipients:
            self.line(left, item, size=11, align=left_align, keep=True)
        first = True
        for text in signer.authority:
            self.line(right, text, bold=True, size=14, first=first, keep=True)
            first = False
        if signer.sign_note:
            self.line(right, SIGN_NOTE, italic=True, size=14, keep=True)
        for _blank in range(4):
            self.line(right, "", keep=True)
        self.line(right, signer.name, bold=True, size=14)

    def bytes(self) -> bytes:
        out = BytesIO()
        self.document.save(out)
        return out.getvalue()
