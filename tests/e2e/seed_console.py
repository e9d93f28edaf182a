"""A session for the console test: ``python -m tests.e2e.seed_console`` with the
server's environment prints JSON ``{"session_id", "booking_id", "host_email",
"secretary_email", "citizen_token", "password"}``: a unit of its own, its chairman and
secretary, an online session starting in ten minutes and one citizen with an accepted,
consented booking (who joins over Socket.IO with ``citizen_token``). Each run makes
its own unit and people, so several tests of one server may seed a room each."""

from __future__ import annotations

import json

PASSWORD = "Mat-khau-console-2026"


def main() -> None:
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.units.models import Unit
    from tests import factories

    app = create_app()
    with app.app_context():
        taken = set(db.session.scalars(select(Unit.code)))
        code = next(f"{n:02d}" for n in range(99, 9, -1) if f"{n:02d}" not in taken)
        unit = factories.make_unit(code, name="Tỉnh Thử Nghiệm Biên Bản")
        host = factories.make_user("host", unit=unit, password=PASSWORD,
                                   email=f"chutich.bienban{code}@e2e.test",
                                   phone=f"+8497{code}00001",
                                   full_name="Lê Văn Chủ")
        secretary = factories.make_user("secretary", unit=unit, password=PASSWORD,
                                        email=f"thuky.bienban{code}@e2e.test",
                                        phone=f"+8497{code}00002",
                                        full_name="Phạm Thị Ký")
        citizen = factories.make_user("citizen", full_name="Nguyễn Thị Biên",
                                      email=f"congdan.bienban{code}@e2e.test",
                                      phone=f"+8497{code}00003")
        reception = factories.make_reception(unit, host, starts_in_minutes=10, slot_minutes=10)
        booking = factories.make_booking(reception, citizen, slot_index=0,
                                         summary="Đề nghị sửa đường liên thôn.")
        db.session.commit()
        print(json.dumps({"session_id": reception.id, "booking_id": booking.id,
                          "host_email": host.email, "secretary_email": secretary.email,
                          "citizen_token": factories.token_for(citizen),
                          "password": PASSWORD}))


if __name__ == "__main__":
    main()
