"""Vietnamese is the source language; the English catalog must be complete and compiled."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "N_": None}
METHODS = [("app/**.py", "python"), ("sessions/**.py", "python"),
           ("templates/**.html", "jinja2")]


def _source_msgids() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def test_every_message_has_an_english_translation():
    catalog = _catalog()
    missing = sorted(m for m in _source_msgids()
                     if m not in catalog or not catalog[m].string or catalog[m].fuzzy)
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"


def test_compiled_catalog_matches_the_po_file():
    with MO.open("rb") as fh:
        compiled = read_mo(fh)
    for message in _catalog():
        if message.id and message.string:
            assert compiled[message.id].string == message.string, message.id


def test_english_pages_use_the_catalog(client):
    client.get("/lang/en")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Citizen" in page or "citizen" in page
