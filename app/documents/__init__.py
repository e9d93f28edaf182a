"""Official documents: who issues them (:mod:`.issuer`) and their builders in the layout
of Decree 30/2020/NĐ-CP (:mod:`.builders`).

Both the reports (the register, the conclusion notice) and the tasks (the apology
letter) issue documents, so the documents sit below both in the package graph.
"""

from __future__ import annotations


class _LazyBuilders:
    """app.documents.builders, imported on first use: python-docx and openpyxl weigh
    about 17 MB in every web process, most of which never export a document."""

    def __getattr__(self, name: str):
        from . import builders

        return getattr(builders, name)


docs = _LazyBuilders()
