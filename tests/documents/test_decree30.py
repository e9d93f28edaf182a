"""The Decree 30/2020 template as Word reads it: page, fonts, language, the heading
table's real widths, page numbers from page 2, the signature block kept together."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from app.documents import builders, decree30
from tests.documents.test_printed import _apology, _form_01, _notice

DOCUMENTS = {"notice": lambda: _notice(3, draft=False), "form01": _form_01,
             "apology": _apology}


@pytest.fixture(params=sorted(DOCUMENTS))
def document(request):
    return docx.Document(io.BytesIO(DOCUMENTS[request.param]()))


def _mm(length) -> float:
    return round(length / Mm(1), 1)


def test_a4_and_margins(document):
    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)
    assert 20 <= _mm(section.top_margin) <= 25 and 20 <= _mm(section.bottom_margin) <= 25
    assert 30 <= _mm(section.left_margin) <= 35 and 15 <= _mm(section.right_margin) <= 20


def test_times_new_roman_and_vietnamese_by_default(document):
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")) \
        .find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    assert {key: fonts.get(qn(f"w:{key}")) for key in ("ascii", "hAnsi", "cs", "eastAsia")} \
        == dict.fromkeys(("ascii", "hAnsi", "cs", "eastAsia"), "Times New Roman")
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert 26 <= int(rpr.find(qn("w:sz")).get(qn("w:val"))) <= 28  # 13–14 pt
    # text outside the tables (the form's number, 12 pt, and the rule under the title aside)
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs
             if run.font.size and any(ch.isalpha() for ch in run.text)
             and not run.text.startswith("Mẫu số")}
    assert sizes and sizes <= {13, 14}
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run.font.name == "Times New Roman"


def test_heading_table_has_real_fixed_widths(document):
    table = document.tables[0]
    tbl = table._tbl
    assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
    widths = [decree30.twips(mm) for mm in decree30.HEADING_COLUMNS_MM]
    assert grid == widths
    cells = [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in table.rows[0].cells]
    assert cells == widths
    assert sum(widths) <= decree30.twips(decree30.TEXT_MM)
    left, right = table.rows[0].cells
    motto = right.paragraphs[0].runs[0]
    assert motto.text == decree30.MOTTO_NATION and motto.bold and motto.font.size.pt in (12, 13)
    assert right.paragraphs[1].runs[0].text == decree30.MOTTO
    place = right.paragraphs[2].runs[0]
    assert place.italic and place.text.startswith("Tuyên Quang, ngày")
    assert left.paragraphs[2].runs[0].text.startswith("Số:")


def test_page_number_in_the_header_from_page_two(document):
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section._sectPr.find(qn("w:titlePg")) is not None
    header = section.header._element
    assert " PAGE " in [t.text for t in header.iter(qn("w:instrText"))]
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))


def test_signature_block_never_splits(document):
    table = document.tables[-1]
    row = table.rows[0]
    assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    left, right = row.cells
    label = left.paragraphs[0].runs[0]
    assert label.text == "Nơi nhận:" and label.bold and label.italic and label.font.size.pt == 12
    items = left.paragraphs[1:]
    assert all(p.runs[0].font.size.pt == 11 for p in items)
    assert items[-1].text.startswith("- Lưu: VT")
    for paragraph in right.paragraphs[:-1]:
        assert paragraph.paragraph_format.keep_with_next
    assert right.paragraphs[-1].text == "Trần Văn Chủ"


def test_draft_heading():
    document = docx.Document(io.BytesIO(_notice(1, draft=True)))
    first = document.paragraphs[0]
    assert first.text == "DỰ THẢO" and first.runs[0].bold
    final = docx.Document(io.BytesIO(_notice(1, draft=False)))
    assert all("DỰ THẢO" not in p.text for p in final.paragraphs)


def test_date_line_is_the_template_one():
    assert builders.vn_date_line is decree30.vn_date_line
    assert decree30.vn_date_line("Hà Nội", date(2027, 1, 2)) == "Hà Nội, ngày 02 tháng 01 năm 2027"
