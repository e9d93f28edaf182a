"""The role table: every route and live event has a rule, and behaves as it says.

Every row of app/security/rules.py is called as nobody signed in and as one account
per role, each holding the relation the row names (the world of conftest.py). Allowed
→ anything but 401/403; refused → 401/403 (a web page sends anonymous callers to the
login page; rows marked ``hidden`` may answer 404). Live events are emitted through
the Flask-SocketIO test client; a refusal is an ack with ``forbidden`` or
``unauthorized`` (``not_accepted`` when a non-holder joins as a citizen).
"""

from __future__ import annotations

import pytest
from flask import url_for

from app.security import table
from app.security.rules import API, CALLERS, PUBLIC, SECRET, SOCKET, WEB, rule_for
from tests import factories as make

NO_SUCH = 999_999
# Writes that would spoil the shared world go to objects of their own.
OWN_TARGETS = {
    "api.cancel_booking": "to_cancel", "bookings.cancel": "to_cancel",
    "bookings.reschedule": "to_cancel",
    "schedules.cancel": "other", "schedules.deputy": "other",
    "api.cancel_session": "other", "api.set_deputy": "other",
    "schedules.schedule_stop": "schedule_to_stop", "api.stop_schedule": "schedule_to_stop",
}


def _id_for(endpoint: str, path: str, world) -> int:
    """The ``id`` of an API path: a booking, a session, a schedule or a task."""
    if endpoint in OWN_TARGETS:
        return getattr(world, OWN_TARGETS[endpoint]).id
    for prefix, obj in (("/api/v1/bookings/", world.booking), ("/api/v1/sessions/",
                        world.reception), ("/api/v1/schedules/", world.schedule),
                        ("/api/v1/tasks/", world.task)):
        if path.startswith(prefix):
            return obj.id
    raise AssertionError(f"no id for {endpoint}")


def url_of(endpoint: str, path: str, arguments: list[str], world) -> str:
    values = {
        "id": None, "attachment_id": NO_SUCH, "recording_id": NO_SUCH,
        "notification_id": NO_SUCH, "rule_id": NO_SUCH, "agency_id": world.agency.id, "user_id": world.spare.id,
        "action": "unlock", "role_id": world.spare_role.id, "code": world.unit.code,
        "token": "khong-hop-le", "table": "types", "override_id": world.holiday.id,
        "session_id": world.reception.id, "booking_id": world.booking.id,
        "schedule_id": world.schedule.id, "task_id": world.task.id, "filename": "robots.txt",
        "point_id": world.point.id,
        "size": "large", "name": "schedule-phone.png",
    }
    if endpoint in OWN_TARGETS and OWN_TARGETS[endpoint].startswith("schedule"):
        values["schedule_id"] = world.schedule_to_stop.id
    if endpoint in OWN_TARGETS and OWN_TARGETS[endpoint] == "other":
        values["session_id"] = world.other.id
    if endpoint in OWN_TARGETS and OWN_TARGETS[endpoint] == "to_cancel":
        values["id"] = world.to_cancel.id
    if endpoint == "main.set_language":
        values["code"] = "vi"
    if endpoint == "api.track":
        values["code"] = world.booking.tracking_code
    if endpoint == "bookings.signed_action":
        values["action"] = "cancel"
    params = {}
    for name in arguments:
        value = values[name]
        if name == "id":
            value = value or (_id_for(endpoint, path, world) if endpoint.startswith("api.")
                              else world.booking.id)
        params[name] = value
    params["unit"] = world.unit.code  # the unit asked for by pages that take one
    return url_for(endpoint, **params)


def http_cases(app):
    cases = []
    for row in table.http_rows(app):
        method = "GET" if "GET" in row.methods else row.methods[0]
        arguments = next(r.arguments for r in app.url_map.iter_rules(row.name)
                         if r.rule == row.path)
        cases.append((row, method, sorted(arguments)))
    # Logging out elsewhere revokes every other token, logging out the one used: last.
    last = ("auth.end_other_sessions", "api.logout", "auth.logout")
    return sorted(cases, key=lambda c: last.index(c[0].name) + 1 if c[0].name in last else 0)


class Callers:
    """A web client per caller (the session cookie) and an API token per caller."""

    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients = {c: app.test_client() for c in CALLERS}
        self.tokens = {role: make.token_for(user) for role, user in world.users.items()}
        for caller, client in self.clients.items():  # signed in once: logging out is last
            if self.user(caller) is not None:
                key = make.web_login_key(self.user(caller))
                with client.session_transaction() as cookie:
                    cookie["_user_id"] = key
                    cookie["_fresh"] = True

    def user(self, caller):
        return self.world.users.get(caller)

    def web(self, caller, method, url):
        return self.clients[caller].open(url, method=method, data={})

    def api(self, caller, method, url, endpoint):
        user = self.user(caller)
        headers = {}
        if user is not None:
            token = make.token_for(user) if endpoint == "api.logout" else self.tokens[caller]
            headers["Authorization"] = f"Bearer {token}"
        body = {}
        if endpoint == "api.login":
            body = {"username": self.world.users["citizen"].email,
                    "password": make.PASSWORD}
        return self.app.test_client().open(url, method=method, json=body, headers=headers)


def refused(response, access, api: bool) -> bool:
    if response.status_code in (401, 403):
        return True
    if access.who in (PUBLIC, SECRET):  # a redirect to the login page is no refusal
        return False
    if access.hidden and response.status_code == 404:
        return True
    location = response.headers.get("Location", "")
    return not api and response.status_code == 302 and "/login" in location


def test_every_route_and_event_has_a_rule(secured):
    app, _world = secured
    assert table.missing(app) == []
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert set(WEB) | set(API) <= endpoints, "rules of routes that no longer exist"
    events = table.socket_events(app)
    assert {event for event, _v in SOCKET} <= events, "rules of events that do not exist"


def test_rules_match_the_roles_required_in_the_code(secured):
    app, _world = secured
    for endpoint, view in app.view_functions.items():
        required = table.view_roles(view)
        if required is not None:  # roles_required lets the administrator through too
            assert set(rule_for(endpoint).who) == {*required, "admin"}, endpoint


def test_docs_table_is_up_to_date(secured):
    app, _world = secured
    text = table.docs_path().read_text(encoding="utf-8")
    assert table.render_into(text, table.markdown(app)) == text, (
        "docs/security.md is out of date: run `flask --app wsgi security-table`")


def test_every_http_route_as_every_role(secured):
    app, world = secured
    callers = Callers(app, world)
    wrong = []
    with app.test_request_context():
        cases = [(row, method, url_of(row.name, row.path, arguments, world))
                 for row, method, arguments in http_cases(app)]
    for row, method, url in cases:
        if row.access is None:
            wrong.append(f"{row.name}: no rule")
            continue
        for caller in CALLERS:
            api = row.kind == "api"
            response = (callers.api(caller, method, url, row.name) if api
                        else callers.web(caller, method, url))
            response.close()  # files sent by send_file
            # A hidden row answers 404 to outsiders, and to everyone for a missing file.
            missing = row.access.hidden and str(NO_SUCH) in url and response.status_code == 404
            if response.status_code >= 500:
                wrong.append(f"{caller} {method} {url}: {response.status_code}")
            elif missing:
                continue
            elif row.access.allows(caller) == refused(response, row.access, api):
                expected = "allowed" if row.access.allows(caller) else "refused"
                wrong.append(f"{caller} {method} {url} ({row.name}): expected {expected}, "
                             f"got {response.status_code} {response.headers.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


# Live events in the order they are tried: closing the session last.
EVENT_ORDER = ["connect", "disconnect", "echo", "join:display", "join:citizen", "join:secretary",
               "join:host", "join:point", "join:guest", "start_call", "signal", "call_parties",
               "enter_call", "point_check_in", "announce", "recall", "mark_no_show",
               "finish", "refuse", "call_next", "open_session", "close_session"]
SOCKET_REFUSALS = {"forbidden", "unauthorized"}


@pytest.fixture(scope="module")
def live_server(secured, database_url, tmp_path_factory):
    """A real Socket.IO server on the world's database, shared by the module."""
    from tests.live.conftest import LiveServer

    server = LiveServer(database_url, str(tmp_path_factory.mktemp("live")))
    yield server
    server.stop()


def test_every_live_event_as_every_role(secured, live_server):
    from tests.live.conftest import Recorder

    app, world = secured
    assert sorted(f"{e}:{v}" if v else e for e, v in SOCKET) == sorted(EVENT_ORDER)
    tokens = {role: make.token_for(user) for role, user in world.users.items()}
    server = live_server
    clients = {}
    wrong = []
    try:
        for caller in CALLERS:  # a socket per caller, as a browser keeps one
            clients[caller] = Recorder(server.url, tokens.get(caller))
        session_id, booking_id = world.reception.id, world.booking.id
        for name in EVENT_ORDER[2:]:  # connecting and disconnecting are not emitted
            event, _sep, variant = name.partition(":")
            access = SOCKET[(event, variant)]
            for caller, client in clients.items():
                if event == "join":
                    ack = client.call("join", {"session_id": session_id, "as": variant})
                    refusals = SOCKET_REFUSALS | ({"not_accepted"} if variant == "citizen"
                                                  else set())
                else:
                    # Enter the room in the caller's best role first, as the pages do.
                    client.call("join", {"session_id": session_id})
                    ack = client.call(event, {"session_id": session_id,
                                              "booking_id": booking_id, "message": "Xin chờ",
                                              "data": {"type": "offer"}, "t": 1})
                    refusals = SOCKET_REFUSALS
                is_refused = not ack.get("ok") and ack.get("error") in refusals
                if ack.get("error") == "server_error" or is_refused == access.allows(caller):
                    wrong.append(f"{caller} {name}: {ack}")
    finally:
        for client in clients.values():
            client.close()
    assert not wrong, "\n".join(wrong)


def test_a_wrong_token_is_refused_at_connection(live_server):
    import socketio as sio

    from tests.live.conftest import Recorder

    with pytest.raises(sio.exceptions.ConnectionError):
        Recorder(live_server.url, "khong-phai-ma-that")


def test_live_refuses_pages_of_other_sites(live_server):
    """Cross-site WebSocket hijacking: only the site's own pages (or clients that send
    no Origin, like apps and load tools) may open /live."""
    import socketio as sio

    from tests.live.conftest import Recorder

    with pytest.raises(sio.exceptions.ConnectionError):
        Recorder(live_server.url, headers={"Origin": "https://trang-gia-mao.example"})
    own = Recorder(live_server.url)  # websocket-client sends the server's own origin
    assert own.call("echo", {"t": 1})["ok"] is True
    own.close()
