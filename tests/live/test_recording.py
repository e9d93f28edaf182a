"""Recording upload (Decree 154/2026): chunks by the host, joined, hashed and audited."""

from __future__ import annotations

import hashlib

from app.audit.models import AuditEvent
from app.extensions import db


def _url(room, what):
    return f"/live/{room.id}/recordings/{room.bookings[0].id}/{what}"


def _upload(client, room, index, data, take="take1"):
    return client.post(_url(room, "chunks") + f"?take={take}&index={index}", data=data,
                       content_type="application/octet-stream")


def test_chunks_are_idempotent_joined_in_order_and_hashed(room, login):
    client = login(room.host)
    assert _upload(client, room, 1, b"-world").status_code == 200
    assert _upload(client, room, 0, b"hello").status_code == 200
    assert _upload(client, room, 0, b"hello").status_code == 200  # a retry
    done = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 2}).get_json()
    assert done["sha256"] == hashlib.sha256(b"hello-world").hexdigest() and done["size"] == 11
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action ==
                                                          "recording_stored"))
    assert done["sha256"] in event.detail
    again = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 2}).get_json()
    assert again["id"] == done["id"]


def test_finish_with_a_missing_chunk_is_refused(room, login):
    client = login(room.host)
    _upload(client, room, 0, b"a")
    response = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 2})
    assert response.status_code == 409 and response.get_json()["error"] == "invalid_state"


def test_only_the_host_uploads_and_only_staff_download(room, login, make):
    assert _upload(login(room.secretary), room, 0, b"x").status_code == 403
    client = login(room.host)
    _upload(client, room, 0, b"video")
    rec_id = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 1}).get_json()["id"]
    with login(room.secretary).get(f"/live/{room.id}/recordings/{rec_id}") as got:
        assert got.status_code == 200 and got.data == b"video"
    with login(room.citizens[0]).get(f"/live/{room.id}/recordings/{rec_id}") as refused:
        assert refused.status_code == 403


def test_bad_index_and_take_are_refused(room, login):
    client = login(room.host)
    assert _upload(client, room, "x", b"a").status_code == 400
    assert _upload(client, room, 0, b"a", take="../evil").status_code == 400
    assert client.post(_url(room, "finish"), json={"chunks": "2"}).status_code == 400


def _age_parts(app, seconds):
    """Make every chunk on disk look ``seconds`` old (the host stopped uploading)."""
    import os
    import time
    from pathlib import Path

    for path in (Path(app.config["UPLOAD_DIR"]) / "recordings").rglob("*"):
        if path.is_file():
            past = time.time() - seconds
            os.utime(path, (past, past))


def test_an_abandoned_upload_is_completed_by_the_job_once(app, room, login):
    from app.live.jobs import complete_recordings
    from app.live.models import Recording

    client = login(room.host)
    for index, data in ((0, b"hello"), (1, b"-live"), (3, b"-lost")):  # chunk 2 never came
        assert _upload(client, room, index, data).status_code == 200
    assert complete_recordings() == []  # still arriving: left alone
    _age_parts(app, 3600)
    stored = complete_recordings()
    db.session.commit()
    assert len(stored) == 1
    recording = db.session.get(Recording, stored[0])
    assert recording.status == "stored" and recording.size == len(b"hello-live")
    assert recording.sha256 == hashlib.sha256(b"hello-live").hexdigest()
    with client.get(f"/live/{room.id}/recordings/{recording.id}") as got:
        assert got.data == b"hello-live"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action ==
                                                          "recording_stored"))
    assert '"completed_by": "job"' in event.detail and '"chunks_dropped": 1' in event.detail
    assert complete_recordings() == []  # run twice: nothing more
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "recording_stored")) == 1


def test_a_chunk_on_a_full_disk_is_507_leaves_no_part_and_can_be_sent_again(
        app, room, login, full_upload_disk):
    from pathlib import Path

    client = login(room.host)
    response = _upload(client, room, 0, b"hello")
    assert response.status_code == 507 and response.headers["Retry-After"].isdigit()
    assert "hết chỗ lưu tệp" in response.get_data(as_text=True)
    recordings = Path(app.config["UPLOAD_DIR"]) / "recordings"
    assert not [p for p in recordings.rglob("*") if p.is_file()]
    full_upload_disk.clear()
    assert _upload(client, room, 0, b"hello").status_code == 200
    done = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 1}).get_json()
    assert done["sha256"] == hashlib.sha256(b"hello").hexdigest()


def test_finishing_on_a_full_disk_is_507_and_the_chunks_stay_for_a_retry(
        app, room, login, full_upload_disk):
    client = login(room.host)
    full_upload_disk.clear()
    assert _upload(client, room, 0, b"hello").status_code == 200
    full_upload_disk.full = True
    response = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 1})
    assert response.status_code == 507
    full_upload_disk.clear()
    done = client.post(_url(room, "finish"), json={"take": "take1", "chunks": 1}).get_json()
    assert done["size"] == 5 and done["sha256"] == hashlib.sha256(b"hello").hexdigest()
