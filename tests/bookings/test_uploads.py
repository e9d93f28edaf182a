"""Attachment checks that need no request: magic bytes and file names."""

import pytest

from app.bookings.uploads import clean_filename, drop_stash, read_stash, sniff, stash_text


@pytest.mark.parametrize(("head", "expected"), [
    (b"%PDF-1.4", "application/pdf"), (b"\xff\xd8\xff\xdb", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n....", "image/png"), (b"GIF89a", None), (b"MZ\x90\x00", None),
    (b"", None)])
def test_sniff_by_magic_bytes(head, expected):
    kind = sniff(head)
    assert (kind[0] if kind else None) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\an\\đơn.pdf", "đơn.pdf"),
    ("a\x00b.pdf", "ab.pdf"), ("", "tai-lieu.pdf"), ("...", "tai-lieu.pdf")])
def test_clean_filename(name, expected):
    assert clean_filename(name, ".pdf") == expected


def test_stash_keeps_long_text_outside_the_cookie(app):
    name = stash_text("Nội dung " * 600)
    assert read_stash(name).startswith("Nội dung")
    assert stash_text("mới", name) == name and read_stash(name) == "mới"
    drop_stash(name)
    assert read_stash(name) == ""
    assert read_stash("../secret") == ""
