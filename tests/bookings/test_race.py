"""No double booking under real concurrency: threads with their own clients and commits."""

import threading
from concurrent.futures import ThreadPoolExecutor

from app.bookings import slot_holds
from app.bookings.models import Booking, IdempotencyKey, SlotHold
from app.extensions import db
from tests.bookings.scene import body, build_scene

THREADS = 20


def _race(app, requests):
    """POST every (token, json, headers) at once, each from its own thread and client."""
    db.session.commit()  # end the test's transaction: on SQLite it holds the write lock
    barrier = threading.Barrier(len(requests))

    def post(item):
        token, payload, headers = item
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/v1/bookings", json=payload, headers={
                "Authorization": f"Bearer {token}", **headers})
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(post, requests))


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_twenty_citizens_racing_for_one_slot_get_it_once(app, make):
    scene = build_scene(make)
    citizens = [make.make_user() for _ in range(THREADS)]
    tokens = [make.token_for(c) for c in citizens]  # commits the scene too
    payload = body(scene.reception, 3)
    results = _race(app, [(t, payload, {}) for t in tokens])
    codes = sorted(code for code, _data in results)
    assert codes == [201] + [409] * (THREADS - 1)
    assert {data["error"] for code, data in results if code == 409} == {"slot_taken"}
    assert _count(SlotHold) == 1 and _count(Booking) == 1


def test_racing_for_any_slot_fills_the_session_exactly(app, make):
    scene = build_scene(make, duration_minutes=100)  # 5 slots
    tokens = [make.token_for(make.make_user()) for _ in range(THREADS)]
    results = _race(app, [(t, body(scene.reception, None), {}) for t in tokens])
    codes = [code for code, _data in results]
    assert codes.count(201) == 5 and codes.count(409) == THREADS - 5
    assert _count(SlotHold) == 5
    starts = {data["slot_start"] for code, data in results if code == 201}
    assert len(starts) == 5


def test_same_idempotency_key_racing_books_once(app, make):
    scene = build_scene(make)
    token = make.token_for(scene.citizen)
    headers = {"Idempotency-Key": "double-click-1"}
    results = _race(app, [(token, body(scene.reception, None), headers)] * 8)
    assert {code for code, _data in results} == {201}
    assert len({data["id"] for _code, data in results}) == 1
    assert _count(Booking) == 1 and _count(IdempotencyKey) == 1


def test_racing_bookers_take_turns_and_hold_at_the_first_attempt(app, make, monkeypatch):
    """Bookings of one session take turns (an advisory lock on PostgreSQL, the write
    lock on SQLite), each reading the holds committed before it: none tries a slot
    another booking holds, and the refused ones write nothing."""
    attempts: list[bool] = []
    hold = slot_holds._hold

    def counted(booking, reception_id, start):
        taken = hold(booking, reception_id, start)
        attempts.append(taken)
        return taken

    monkeypatch.setattr(slot_holds, "_hold", counted)
    scene = build_scene(make, duration_minutes=100)  # 5 slots
    tokens = [make.token_for(make.make_user()) for _ in range(THREADS)]
    results = _race(app, [(t, body(scene.reception, None), {}) for t in tokens])
    assert [code for code, _data in results].count(201) == 5
    assert attempts == [True] * 5
    assert _count(SlotHold) == 5 and _count(Booking) == 5
