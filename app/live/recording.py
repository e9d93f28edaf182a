"""Recordings of the calls (Decree 154/2026): chunked upload by the host's browser.

The browser's MediaRecorder produces a chunk every few seconds; each is posted
with its index and stored as its own file, so a retried chunk simply replaces
itself (idempotent per index) and a dropped connection loses nothing that was
acknowledged. ``finish`` joins the chunks in order into one file with a random
name under UPLOAD_DIR/recordings/, computes its SHA-256 and writes it to the
audit log. An upload the browser never finished (the host reloaded or lost the
connection) is completed by the ``complete_recordings`` job once it is idle.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from sessions.errors import N_, CoreError

from ..audit.services import record_event
from ..bookings.models import Booking
from ..extensions import db
from ..schedules.models import ReceptionSession
from .models import Recording, RecordingStatus
from .services import lock_reception

MAX_CHUNKS = 20_000
COPY_BUFFER = 1024 * 1024


def recordings_dir() -> Path:
    """UPLOAD_DIR/recordings, created on first use."""
    path = Path(current_app.config["UPLOAD_DIR"]) / "recordings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _parts_dir(recording: Recording) -> Path:
    return recordings_dir() / f"{recording.stored_name}.parts"


def file_path(recording: Recording) -> Path:
    """Where a stored recording's file is."""
    return recordings_dir() / recording.stored_name


def recording_booking(reception: ReceptionSession, booking_id: int) -> Booking:
    """The accepted booking of this session that is being recorded (or ``not_found``)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != reception.id:
        raise CoreError("not_found", N_("Không tìm thấy lịch tiếp này trong buổi tiếp."))
    return booking


def _take(booking: Booking, take: str) -> Recording | None:
    return db.session.scalar(
        select(Recording).where(Recording.booking_id == booking.id, Recording.take == take)
        .order_by(Recording.id.desc()).limit(1))


def check_take(take: str) -> str:
    """A take id sent by the browser: 1–40 letters, digits, ``-`` or ``_``."""
    if not take or len(take) > 40 or not all(c.isalnum() or c in "-_" for c in take):
        raise CoreError("bad_request", N_("Mã lượt ghi không hợp lệ."), field="take")
    return take


def open_recording(reception: ReceptionSession, booking: Booking, take: str, *, actor,
                   now) -> Recording:
    """The booking's recording ``take`` being uploaded, or a new one."""
    lock_reception(reception.id)
    recording = _take(booking, check_take(take))
    if recording is not None and recording.is_stored:
        raise CoreError("invalid_state", N_("Bản ghi này đã được lưu, không thể thêm đoạn."))
    if recording is None:
        recording = Recording(session_id=reception.id, booking_id=booking.id, take=take,
                              stored_name=f"{secrets.token_hex(16)}.webm",
                              created_by_id=actor.id, created_at=now)
        db.session.add(recording)
        db.session.flush()
    return recording


def store_chunk(recording: Recording, index: int, data: bytes) -> None:
    """Keep chunk ``index`` (a retry of the same index replaces it)."""
    if not 0 <= index < MAX_CHUNKS:
        raise CoreError("bad_request", N_("Số thứ tự đoạn ghi không hợp lệ."), field="index")
    if not data:
        raise CoreError("bad_request", N_("Đoạn ghi rỗng."), field="chunk")
    parts = _parts_dir(recording)
    parts.mkdir(exist_ok=True)
    temporary = parts / f"{index:06d}.{secrets.token_hex(4)}.tmp"
    try:
        temporary.write_bytes(data)
        os.replace(temporary, parts / f"{index:06d}")
    except BaseException:
        # A full disk: no part of the chunk is kept, the browser sends it again later.
        temporary.unlink(missing_ok=True)
        raise
    recording.chunks = max(recording.chunks, index + 1)
    db.session.flush()


def finish_recording(reception: ReceptionSession, booking: Booking, take: str, count: int, *,
                     actor, now) -> Recording:
    """Join chunks 0…count-1 of ``take`` in order, hash the file and log it; idempotent."""
    lock_reception(reception.id)
    recording = _take(booking, check_take(take))
    if recording is None:
        raise CoreError("not_found", N_("Chưa có đoạn ghi nào được tải lên."))
    if recording.is_stored:
        return recording
    parts = _parts_dir(recording)
    missing = [i for i in range(count) if not (parts / f"{i:06d}").exists()]
    if count < 1 or missing:
        raise CoreError("invalid_state", N_("Còn thiếu {count} đoạn ghi, hãy tải lên lại."),
                        field="chunks", count=len(missing) or 1, missing=missing[:50])
    sha256, size = _join(recording, parts, count)
    shutil.rmtree(parts, ignore_errors=True)
    recording.status, recording.size, recording.chunks = RecordingStatus.STORED, size, count
    recording.sha256, recording.stored_at = sha256, now
    record_event("recording_stored", actor=actor, target=f"booking:{booking.id}",
                 recording_id=recording.id, session_id=reception.id,
                 sha256=recording.sha256, size=size)
    db.session.flush()
    return recording


def _join(recording: Recording, parts: Path, count: int) -> tuple[str, int]:
    """Write chunks 0…count-1 into the recording's file: (SHA-256, size)."""
    digest, size = hashlib.sha256(), 0
    try:
        with open(file_path(recording), "wb") as out:
            for i in range(count):
                with open(parts / f"{i:06d}", "rb") as chunk:
                    while block := chunk.read(COPY_BUFFER):
                        digest.update(block)
                        out.write(block)
                        size += len(block)
    except BaseException:
        # A full disk: the chunks stay, so that finishing again (or the job) can redo it.
        file_path(recording).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size


def _last_activity(parts: Path) -> float | None:
    """When the last chunk of an upload arrived (a POSIX time), None without chunks."""
    times = [p.stat().st_mtime for p in parts.iterdir() if p.is_file()] if parts.is_dir() else []
    return max(times, default=None)


def complete_abandoned(now, idle_seconds: int) -> list[int]:
    """Store uploads the host's browser never finished (a reload, a closed tab, a lost
    connection): after ``idle_seconds`` without a new chunk, the chunks received in
    order from the first are joined, hashed and logged like a finished recording, with
    what was missing. Uploads with no chunk at all are removed. Safe to run twice.
    Returns the ids of the recordings stored."""
    stored = []
    for recording in db.session.scalars(select(Recording)
                                        .where(Recording.status == RecordingStatus.UPLOADING)
                                        .order_by(Recording.id)).all():
        parts = _parts_dir(recording)
        last = _last_activity(parts)
        if last is None:
            if (now - recording.created_at).total_seconds() >= idle_seconds:
                shutil.rmtree(parts, ignore_errors=True)
                db.session.delete(recording)
            continue
        if time.time() - last < idle_seconds:
            continue  # still arriving
        lock_reception(recording.session_id)
        db.session.refresh(recording)
        if recording.is_stored:
            continue
        count = 0
        while (parts / f"{count:06d}").exists():
            count += 1
        received = sum(1 for p in parts.iterdir() if p.is_file() and "." not in p.name)
        if count == 0:
            continue  # the first chunk is missing: nothing playable; kept for a retry
        sha256, size = _join(recording, parts, count)
        shutil.rmtree(parts, ignore_errors=True)
        recording.status, recording.size, recording.chunks = RecordingStatus.STORED, size, count
        recording.sha256, recording.stored_at = sha256, now
        record_event("recording_stored", target=f"booking:{recording.booking_id}",
                     recording_id=recording.id, session_id=recording.session_id,
                     sha256=sha256, size=size, completed_by="job",
                     chunks_dropped=received - count)
        db.session.flush()
        stored.append(recording.id)
    return stored


def booking_recordings(booking_ids: list[int]) -> dict[int, list[Recording]]:
    """Stored recordings by booking id (one query)."""
    found: dict[int, list[Recording]] = {}
    if not booking_ids:
        return found
    for recording in db.session.scalars(
            select(Recording).where(Recording.booking_id.in_(booking_ids),
                                    Recording.status == RecordingStatus.STORED)
            .order_by(Recording.id)):
        found.setdefault(recording.booking_id, []).append(recording)
    return found
