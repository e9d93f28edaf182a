"""The API's caller: one query per request finds who holds a token, the person loads later."""

from datetime import timedelta

from sqlalchemy import event, select

from app.auth.models import ApiToken
from app.auth.services import caller_for_token, user_for_caller, user_for_token
from app.extensions import db
from app.timeutil import utcnow
from tests.bookings.scene import body, build_scene


def test_a_valid_token_names_its_caller_their_language_and_roles(app, make):
    unit = make.make_unit()
    officer = make.make_user("secretary", "host", unit=unit, locale="en")
    token = make.token_for(officer)
    caller = caller_for_token(token)
    assert caller.id == officer.id and caller.locale == "en"
    assert caller.role_names == {"secretary", "host"}
    assert caller.has_role("host", "admin") and not caller.has_role("citizen")
    person = user_for_caller(caller)
    assert person is officer and sorted(person.role_names) == ["host", "secretary"]


def test_a_person_without_roles_is_a_caller_with_none(app, make):
    user = make.make_user()
    user.roles.clear()
    token = make.token_for(user)
    caller = caller_for_token(token)
    assert caller.id == user.id and caller.role_names == frozenset()
    assert not caller.has_role("citizen")


def test_expired_revoked_unknown_tokens_and_closed_accounts_name_nobody(app, make):
    user = make.make_user()
    tokens = [make.token_for(user) for _ in range(3)]
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    rows[0].expires_at = utcnow() - timedelta(seconds=1)
    rows[1].revoked_at = utcnow()
    db.session.commit()
    for token in (tokens[0], tokens[1], "not-a-token"):
        assert caller_for_token(token) is None and user_for_token(token) is None
    assert caller_for_token(tokens[2]).id == user.id
    user.is_active_account = False
    db.session.commit()
    assert caller_for_token(tokens[2]) is None and user_for_token(tokens[2]) is None


def test_a_refused_booking_reads_the_caller_and_the_session_only(api, make):
    """In a rush most bookings are refused: they must not load the person (their
    profile, roles and units) nor write anything."""
    scene = build_scene(make, duration_minutes=20)
    make.make_booking(scene.reception, make.make_user(), slot_index=0)
    payload = body(scene.reception, None)
    headers = {"Authorization": f"Bearer {make.token_for(scene.citizen)}"}
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = api.client.post("/api/v1/bookings", json=payload, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 409 and response.get_json()["error"] == "session_full"
    assert len(statements) == 2, statements
    assert "api_tokens.token_hash" in statements[0] and "FROM reception_sessions" in statements[1]
    assert not any("users.password_hash" in s or "INSERT" in s for s in statements)
