"""Sessions that end (CONTRACT §7, app/auth/websessions.py): logging out ends that
session and its remember-me cookie, also where they were copied; a password change or
reset ends every other session, cookie and token of the person."""

from __future__ import annotations

from flask_login.utils import encode_cookie

from app.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "mat-khau-moi-2027"


def browser(app):
    """A new browser on the site."""
    return app.test_client()


def signed_in(app, user, *, remember=True):
    client = browser(app)
    response = client.post("/login", data={"username": user.email, "password": PASSWORD,
                                           "remember": "y" if remember else ""})
    assert response.status_code == 302
    return client


def copy_of(app, source, *names):
    """Another browser holding copies of ``source``'s cookies ``names``."""
    thief = browser(app)
    for name in names:
        thief.set_cookie(name, source.get_cookie(name).value, domain="localhost")
    return thief


def is_signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def api_status(client, token) -> int:
    return client.post("/api/v1/me/calendar-token",
                       headers={"Authorization": f"Bearer {token}"}).status_code


def test_logout_ends_the_session_and_its_remember_cookie_wherever_they_were_copied(app, make):
    user = make.make_user("citizen")
    db.session.commit()
    owner = signed_in(app, user)
    session_copy = copy_of(app, owner, "session")
    remember_copy = copy_of(app, owner, "remember_token")
    assert is_signed_in(session_copy) and is_signed_in(remember_copy)

    logout = owner.post("/logout")
    assert logout.status_code == 302
    assert any(c.startswith("remember_token=;") for c in logout.headers.getlist("Set-Cookie"))
    assert not is_signed_in(owner)
    assert not is_signed_in(session_copy)
    assert not is_signed_in(remember_copy)


def test_logout_leaves_the_persons_other_browsers_signed_in(app, make):
    user = make.make_user("citizen")
    db.session.commit()
    office, phone = signed_in(app, user), signed_in(app, user)
    office.post("/logout")
    assert is_signed_in(phone) and not is_signed_in(office)


def test_a_password_change_ends_every_other_session_cookie_and_token(app, make):
    user = make.make_user("citizen")
    token = make.token_for(user)
    here, elsewhere = signed_in(app, user), signed_in(app, user)
    old_remember_here = copy_of(app, here, "remember_token")
    remember_elsewhere = copy_of(app, elsewhere, "remember_token")
    assert api_status(here, token) == 200

    changed = here.post("/profile/password", data={"pw-current": PASSWORD,
                                                   "pw-new": NEW_PASSWORD})
    assert changed.status_code == 302
    assert is_signed_in(here)  # the session doing the change stays
    assert is_signed_in(copy_of(app, here, "remember_token"))  # with a new remember-me cookie
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(remember_elsewhere)
    assert not is_signed_in(old_remember_here)
    assert api_status(here, token) == 401


def test_a_wrong_current_password_ends_nothing(app, make):
    user = make.make_user("citizen")
    db.session.commit()
    here, elsewhere = signed_in(app, user), signed_in(app, user)
    here.post("/profile/password", data={"pw-current": "sai-mat-khau-1", "pw-new": NEW_PASSWORD})
    assert is_signed_in(here) and is_signed_in(elsewhere)


def test_an_administrators_reset_ends_every_session_and_token(app, make):
    from app.auth.services import set_password

    admin, user = make.make_user("admin"), make.make_user("citizen")
    token = make.token_for(user)
    there = signed_in(app, user)
    set_password(user, NEW_PASSWORD, actor=admin)
    db.session.commit()
    assert not is_signed_in(there)
    assert api_status(there, token) == 401
    fresh = browser(app)
    fresh.post("/login", data={"username": user.email, "password": NEW_PASSWORD})
    assert is_signed_in(fresh)


def test_log_out_everywhere_else(app, make):
    user = make.make_user("citizen")
    token = make.token_for(user)
    here, elsewhere = signed_in(app, user), signed_in(app, user)
    assert here.post("/profile/sessions/end-others").status_code == 302
    assert is_signed_in(here) and not is_signed_in(elsewhere)
    assert api_status(here, token) == 401


def test_end_other_sessions_is_a_service_a_reset_can_call(app, make):
    """A future password reset by code ends everything, keeping nothing."""
    from app.auth.services import end_other_sessions

    user = make.make_user("citizen")
    token = make.token_for(user)
    there = signed_in(app, user)
    end_other_sessions(user)
    db.session.commit()
    assert not is_signed_in(there) and api_status(there, token) == 401


def test_a_bare_user_id_signs_nobody_in(app, make):
    """Cookies that name only the person (as before sign-ins could end) are refused."""
    user = make.make_user("citizen")
    db.session.commit()
    old_session = browser(app)
    with old_session.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
    assert not is_signed_in(old_session)
    old_remember = browser(app)
    old_remember.set_cookie("remember_token", encode_cookie(str(user.id)), domain="localhost")
    assert not is_signed_in(old_remember)
