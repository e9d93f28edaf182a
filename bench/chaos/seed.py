"""The chaos run's data, written straight into its database with the test factories."""

from __future__ import annotations


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def seed(database_url: str, waiting: int, rushers: int) -> dict:
    """A live session starting in ten minutes with its host and ``waiting`` citizens
    holding accepted bookings; a later session with free slots and ``rushers`` citizens
    without bookings; tokens for all, and the host's password for the web."""
    from app import create_app
    from app.extensions import db
    from tests import factories as make

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": psycopg_url(database_url)})
    with app.app_context():
        unit = make.make_unit()
        host = make.make_user("host", unit=unit)
        live = make.make_reception(unit, host, starts_in_minutes=10, slot_minutes=5,
                                   duration_minutes=5 * waiting + 30, kind="adhoc")
        citizens = [make.make_user("citizen") for _ in range(waiting)]
        bookings = [make.make_booking(live, c, slot_index=i) for i, c in enumerate(citizens)]
        rush = make.make_reception(unit, host, starts_in_minutes=60 * 24 * 7, slot_minutes=5,
                                   duration_minutes=5 * rushers + 60)
        rushing = [make.make_user("citizen") for _ in range(rushers)]
        db.session.commit()
        seeded = {"live": {"session_id": live.id, "host_token": make.token_for(host),
                           "citizen_tokens": [make.token_for(c) for c in citizens],
                           "booking_ids": [b.id for b in bookings]},
                  "host_email": host.email, "password": make.PASSWORD,
                  "rush": {"session_id": rush.id,
                           "tokens": [make.token_for(c) for c in rushing]}}
        db.session.remove()
        db.engine.dispose()
    return seeded


def queue_sms(database_url: str, count: int, tag: str) -> list[int]:
    """``count`` due SMS in the outbox (a backlog for the dispatcher); their ids."""
    from sqlalchemy import create_engine, text

    engine = create_engine(psycopg_url(database_url))
    with engine.begin() as conn:
        ids = [conn.execute(text(
            "INSERT INTO notifications (channel, recipient, subject, body, kind, created_at, "
            "send_after, attempts, last_error) VALUES ('sms', :to, '', :body, 'chaos', "
            "now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc', 0, '') RETURNING id"),
            {"to": f"09{i:08d}", "body": f"{tag} tin nhan {i}"}).scalar() for i in range(count)]
    engine.dispose()
    return ids
