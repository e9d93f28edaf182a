"""Attachments of a case: PDF, JPEG or PNG, checked by content, stored privately.

Files live in ``UPLOAD_DIR`` (outside ``static/``) under random names; the
original name is kept only in the database and given back in Content-Disposition
when the citizen or the unit's staff download the file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..extensions import db
from . import errors as err
from .models import Attachment, Booking

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
_CHUNK = 64 * 1024
# Magic bytes: what a file is, whatever its name or declared type says.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None if not allowed."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_filename(name: str | None, extension: str) -> str:
    """The base name a person gave, without path or control characters."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if not base:
        base = "tai-lieu" + extension
    return base[-200:]


def _file_error(message: str, **params) -> CoreError:
    return err.invalid({"file": CoreError("invalid_file", message, field="file", **params)})


def stage_upload(storage) -> dict:
    """Check and store one uploaded file; its metadata for an Attachment row.

    422 when missing or not PDF/JPEG/PNG by content, 413 too_large over the limit.
    """
    if storage is None or not getattr(storage, "filename", None):
        raise _file_error(N_("Vui lòng chọn tệp đính kèm."))
    stream = storage.stream
    head = stream.read(_CHUNK)
    kind = sniff(head)
    if kind is None:
        raise _file_error(N_("Chỉ nhận tệp PDF, JPEG hoặc PNG."))
    stored_name = secrets.token_hex(16)
    size, digest = copy_limited(stream, head, upload_dir() / stored_name, MAX_FILE_BYTES,
                                _too_large)
    return {"stored_name": stored_name, "filename": clean_filename(storage.filename, kind[1]),
            "content_type": kind[0], "size": size, "sha256": digest}


def _too_large() -> CoreError:
    return CoreError("too_large", N_("Mỗi tệp không được lớn hơn {max} MB."), field="file",
                     max=MAX_FILE_BYTES // (1024 * 1024))


def copy_limited(stream, head: bytes, path: Path, max_bytes: int, too_large) -> tuple[int, str]:
    """Write ``head`` and the rest of ``stream`` to ``path``: (size, sha256).

    Raises ``too_large()`` (and removes the partial file) past ``max_bytes``.
    """
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "xb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise too_large()
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(_CHUNK)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def discard(stored: list[dict] | tuple) -> None:
    """Delete staged files that will not be attached."""
    for item in stored or ():
        name = str(item.get("stored_name", ""))
        if name and os.sep not in name and "/" not in name:
            (upload_dir() / name).unlink(missing_ok=True)


def add_attachment(booking: Booking, storage, *, actor) -> Attachment:
    """Attach one file to an open booking (at most MAX_FILES per case)."""
    if not booking.is_open:
        raise err.invalid_state()
    # Lock the booking row (PostgreSQL; SQLite writers are serialised already) so
    # that two uploads at once cannot exceed the limit.
    db.session.execute(select(Booking.id).where(Booking.id == booking.id).with_for_update())
    count = db.session.scalar(select(func.count(Attachment.id))
                              .where(Attachment.booking_id == booking.id)) or 0
    if count >= MAX_FILES:
        raise _file_error(N_("Mỗi vụ việc chỉ được đính kèm tối đa {max} tệp."), max=MAX_FILES)
    meta = stage_upload(storage)
    attachment = Attachment(booking_id=booking.id, uploaded_by_id=actor.id, **meta)
    db.session.add(attachment)
    db.session.flush()
    record_event("attachment_add", actor=actor, target=f"booking:{booking.id}",
                 attachment=attachment.id)
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    return upload_dir() / attachment.stored_name


def attachment_dict(attachment: Attachment) -> dict:
    return {"id": attachment.id, "filename": attachment.filename,
            "content_type": attachment.content_type, "size": attachment.size}


# --- text kept between the steps of the web flow -------------------------------------
# A case summary (up to 5,000 characters) would overflow the 4 KB session cookie,
# so the web flow keeps it here and only its random name in the Flask session.

_STASH_PREFIX = "draft-"


def _stash_path(name: object) -> Path | None:
    if not isinstance(name, str) or len(name) != 32 or not all(c in "0123456789abcdef"
                                                               for c in name):
        return None
    return upload_dir() / f"{_STASH_PREFIX}{name}"


def stash_text(text: str, name: str | None = None) -> str:
    """Keep ``text`` under a random name (or overwrite ``name``); returns the name."""
    path = _stash_path(name)
    if path is None:
        name = secrets.token_hex(16)
        path = _stash_path(name)
    path.write_text(text, encoding="utf-8")
    return name


def read_stash(name: object) -> str:
    path = _stash_path(name)
    try:
        return path.read_text(encoding="utf-8") if path else ""
    except FileNotFoundError:
        return ""


def drop_stash(name: object) -> None:
    path = _stash_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def purge_orphans(older_than_seconds: int = 2 * 24 * 3600) -> int:
    """Delete staged files and stashed texts of booking flows never finished."""
    import time

    directory = Path(current_app.config["UPLOAD_DIR"])
    if not directory.is_dir():
        return 0
    attached = set(db.session.scalars(select(Attachment.stored_name)))
    limit, removed = time.time() - older_than_seconds, 0
    for path in directory.iterdir():
        if path.is_file() and path.name not in attached and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
