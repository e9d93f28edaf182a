"""Files attached to a task report: PDF, JPEG or PNG by content, under UPLOAD_DIR/tasks/.

Files are stored under random names outside static/; the name the officer gave is
kept only in the database and given back when staff download the file.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from sessions import errors as err
from sessions.errors import N_, CoreError
from sessions.tasks import TaskStatus

from ..audit.services import record_event
from ..bookings.uploads import clean_filename, copy_limited, sniff
from ..extensions import db
from .models import Task, TaskAttachment

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
_CHUNK = 64 * 1024


def task_upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "tasks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_error(message: str, **params) -> CoreError:
    return err.invalid({"file": CoreError("invalid_file", message, field="file", **params)})


def _too_large() -> CoreError:
    return CoreError("too_large", N_("Mỗi tệp không được lớn hơn {max} MB."), field="file",
                     max=MAX_FILE_BYTES // (1024 * 1024))


def _store(storage) -> dict:
    """Check and write one upload; its metadata (422 wrong type, 413 too large)."""
    if storage is None or not getattr(storage, "filename", None):
        raise _file_error(N_("Vui lòng chọn tệp đính kèm."))
    head = storage.stream.read(_CHUNK)
    kind = sniff(head)
    if kind is None:
        raise _file_error(N_("Chỉ nhận tệp PDF, JPEG hoặc PNG."))
    stored_name = secrets.token_hex(16) + kind[1]
    size, digest = copy_limited(storage.stream, head, task_upload_dir() / stored_name,
                                MAX_FILE_BYTES, _too_large)
    return {"stored_name": stored_name, "filename": clean_filename(storage.filename, kind[1]),
            "content_type": kind[0], "size": size, "sha256": digest}


def add_task_attachment(task: Task, storage, *, actor) -> TaskAttachment:
    """Attach one file to a task that is not yet accepted (at most MAX_FILES)."""
    if task.status == TaskStatus.ACCEPTED:
        raise err.invalid_state(N_("Nhiệm vụ đã được nghiệm thu, không thể thêm tệp."))
    count = db.session.scalar(select(func.count(TaskAttachment.id))
                              .where(TaskAttachment.task_id == task.id)) or 0
    if count >= MAX_FILES:
        raise _file_error(N_("Mỗi nhiệm vụ chỉ được đính kèm tối đa {max} tệp."), max=MAX_FILES)
    attachment = TaskAttachment(task_id=task.id, uploaded_by_id=actor.id, **_store(storage))
    db.session.add(attachment)
    db.session.flush()
    record_event("task_attachment_add", actor=actor, target=f"task:{task.id}",
                 attachment=attachment.id, sha256=attachment.sha256)
    return attachment


def attachment_path(attachment: TaskAttachment) -> Path:
    return task_upload_dir() / attachment.stored_name


def remove_stored(attachments) -> None:
    """Delete the files of attachments whose rows were rolled back."""
    for attachment in attachments:
        (task_upload_dir() / attachment.stored_name).unlink(missing_ok=True)
