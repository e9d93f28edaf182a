"""The public schedule page is cached briefly for anonymous visitors only."""

from __future__ import annotations

import pytest

from app.schedules import pagecache
from app.timeutil import to_local
from tests.factories import make_reception, make_unit, make_user, web_login_key


@pytest.fixture
def cached(app):
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 60
    pagecache.clear()
    yield app
    pagecache.clear()


def _day(reception) -> str:
    """The session's date in Vietnam (its UTC date is the day before from 00:00 to 07:00)."""
    return to_local(reception.starts_at).date().isoformat()


def _week(client, unit, reception):
    day = _day(reception)
    return client.get(f"/lich-tiep?province={unit.code}&date={day}").get_data(as_text=True)


def test_anonymous_visitors_get_the_cached_page_until_it_expires(cached, client):
    unit = make_unit()
    host = make_user("host", unit=unit, full_name="Hoàng Văn Chủ")
    reception = make_reception(unit, host)
    cached.extensions["sqlalchemy"].session.commit()
    assert "Hoàng Văn Chủ" in _week(client, unit, reception)
    host.full_name = "Đinh Thị Mới"
    cached.extensions["sqlalchemy"].session.commit()
    assert "Hoàng Văn Chủ" in _week(client, unit, reception)  # served from memory
    assert "Đinh Thị Mới" in client.get(
        f"/lich-tiep?province={unit.code}&date={_day(reception)}&view=week"
    ).get_data(as_text=True)  # another URL is rendered afresh
    pagecache.clear()
    assert "Đinh Thị Mới" in _week(client, unit, reception)


def test_signed_in_people_and_other_languages_are_not_served_the_cache(cached, client):
    from app.extensions import db

    unit = make_unit()
    host = make_user("host", unit=unit, full_name="Hoàng Văn Chủ")
    reception = make_reception(unit, host)
    citizen = make_user("citizen")
    db.session.commit()
    _week(client, unit, reception)
    host.full_name = "Đinh Thị Mới"
    db.session.commit()
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    assert "Đinh Thị Mới" in _week(client, unit, reception)  # English: its own entry
    key = web_login_key(citizen)
    with client.session_transaction() as cookie:
        cookie.pop("lang")
        cookie["_user_id"] = key
        cookie["_fresh"] = True
    assert "Đinh Thị Mới" in _week(client, unit, reception)


def test_the_json_schedule_is_cached_with_its_content_type(cached, client):
    from app.extensions import db

    unit = make_unit()
    host = make_user("host", unit=unit, full_name="Hoàng Văn Chủ")
    reception = make_reception(unit, host)
    db.session.commit()
    day = _day(reception)
    url = f"/api/v1/sessions?unit={unit.code}&from={day}&to={day}"
    first = client.get(url)
    assert first.status_code == 200 and first.get_json()[0]["host_name"] == "Hoàng Văn Chủ"
    host.full_name = "Đinh Thị Mới"
    db.session.commit()
    again = client.get(url)
    assert again.content_type == "application/json"
    assert again.get_json()[0]["host_name"] == "Hoàng Văn Chủ"
    assert client.get(f"/api/v1/sessions?unit={unit.code}&from=bad").status_code == 422


def test_the_json_schedule_with_a_token_is_fresh_and_loads_no_person(cached, client):
    """A token's holder is signed in: not served the anonymous cache; telling so takes
    the caller the API looked up, without loading the person."""
    from sqlalchemy import event

    from app.extensions import db
    from tests.factories import token_for

    unit = make_unit()
    host = make_user("host", unit=unit, full_name="Hoàng Văn Chủ")
    reception = make_reception(unit, host)
    headers = {"Authorization": f"Bearer {token_for(make_user('citizen'))}"}
    day = _day(reception)
    url = f"/api/v1/sessions?unit={unit.code}&from={day}&to={day}"
    client.get(url)  # anonymous: cached
    host.full_name = "Đinh Thị Mới"
    db.session.commit()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        signed_in = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert signed_in.get_json()[0]["host_name"] == "Đinh Thị Mới"
    # The sessions' hosts are loaded (WHERE users.id IN ...), the caller's person is not.
    assert not any("WHERE users.id = " in " ".join(s.split()) for s in statements)
    assert client.get(url).get_json()[0]["host_name"] == "Hoàng Văn Chủ"  # still cached
