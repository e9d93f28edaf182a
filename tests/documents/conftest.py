"""Printing documents as LibreOffice does: DOCX and XLSX to PDF, then read with poppler.

``to_pdf({name: bytes})`` converts every file of a call in one ``soffice`` run (starting
LibreOffice costs seconds) and caches by content for the whole session. Tests that use
it are skipped only when ``soffice`` is not installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SIZE = re.compile(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts")


@dataclass
class Printed:
    """A PDF as pdfinfo and ``pdftotext -layout`` see it, page by page."""

    path: Path
    sizes: list[tuple[int, int]] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Printed:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout
        count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(count), str(path)],
                              capture_output=True, text=True, check=True).stdout
        sizes = [(round(float(w)), round(float(h))) for _n, w, h in SIZE.findall(info)]
        pages = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n),
                                 str(path), "-"], capture_output=True, text=True,
                                check=True).stdout for n in range(1, count + 1)]
        return cls(path, sizes, pages)

    @staticmethod
    def flat(text: str) -> str:
        """The text with every run of white space as one space (lines wrap anywhere)."""
        return " ".join(text.split())

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def page_of(self, words: str) -> int | None:
        """The first page (1-based) whose flattened text holds ``words``."""
        for number, page in enumerate(self.pages, start=1):
            if words in self.flat(page):
                return number
        return None


@pytest.fixture(scope="session")
def to_pdf(tmp_path_factory):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    profile = Path(f"/tmp/lo-{worker}-{os.getpid()}")
    cache: dict[str, Printed] = {}

    def convert(files: dict[str, bytes]) -> dict[str, Printed]:
        folder = tmp_path_factory.mktemp("print")
        todo = {}
        for name, content in files.items():
            key = hashlib.sha256(content).hexdigest() + Path(name).suffix
            if key not in cache:
                (folder / key).write_bytes(content)
                todo[key] = folder / key
        if todo:
            subprocess.run([soffice, "--headless", "--norestore",
                            f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                            "--outdir", str(folder), *map(str, todo.values())],
                           check=True, capture_output=True, timeout=240)
            for key, path in todo.items():
                cache[key] = Printed.read(path.with_suffix(".pdf"))
        return {name: cache[hashlib.sha256(content).hexdigest() + Path(name).suffix]
                for name, content in files.items()}

    yield convert
    shutil.rmtree(profile, ignore_errors=True)
