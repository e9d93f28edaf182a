"""Text people typed stays text in the spreadsheets we export, never a formula.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) is run as a formula by Excel and LibreOffice when the file is opened: a citizen's
summary ``=HYPERLINK(...)`` in the register would become a live link, and in a CSV a
``=cmd|...`` could start a program (OWASP, "CSV Injection").
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """``value`` for a CSV cell: text that a spreadsheet would run gets a leading
    apostrophe (OWASP's advice: the apostrophe is shown, never evaluated)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    """A CSV row with every text cell made safe by :func:`csv_cell`."""
    return [csv_cell(value) for value in values]


def put_cell(sheet, row: int, column: int, value):
    """Write ``value`` into an openpyxl sheet; text is stored as a string cell.

    openpyxl reads any text starting with ``=`` as a formula; the cell type set after
    the value keeps the text exactly as typed (no apostrophe is needed in XLSX).
    """
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
