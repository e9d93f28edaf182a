"""Who may call every web route, API route and Socket.IO event of ``/live``.

One declarative registry: each endpoint (``blueprint.view``) or live event names the
callers it admits and, as a short text, the relation to the case the route checks on
top of the role (unit scope, own booking, assigned agency, the session's host…).

- ``PUBLIC``: anyone, signed in or not;
- ``SECRET``: no account needed, but the URL or header carries a secret (a signed link,
  an invitation, a calendar token, the metrics token); a wrong secret is a 404/403;
- ``SIGNED_IN``: any signed-in account;
- a tuple of roles: only those roles, where the relation holds.

A role holds at its unit and every unit below it (app/auth/access.py). The
administrator passes the web ``roles_required`` checks and ``has_unit_role``, so it is
listed wherever it passes; it is *not* a denouncer's confidant and does not host.

``tests/security/test_role_table.py`` fails when a route or event has no rule, and
calls every row as every role; ``flask security-table`` writes the table into
docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PUBLIC = "public"
SECRET = "secret"
SIGNED_IN = "signed_in"
ROLES = ("citizen", "secretary", "host", "deputy", "officer", "inspector", "admin",
         "operator")
#: The callers the role table walks: nobody signed in, then one account per role.
CALLERS = ("anonymous", *ROLES)


@dataclass(frozen=True)
class Access:
    """Who may call one route or event."""

    who: str | tuple[str, ...]
    relation: str = ""
    #: How a caller without the relation is refused: 403, or 404 where even the
    #: existence of the object is not disclosed (someone else's booking in a room).
    hidden: bool = False

    def allows(self, caller: str) -> bool:
        """Whether ``caller`` (``anonymous`` or a role, holding the relation) may call."""
        if self.who in (PUBLIC, SECRET):
            return True
        if caller == "anonymous":
            return False
        return self.who == SIGNED_IN or caller in self.who

    def label(self) -> str:
        if self.who == PUBLIC:
            return "anyone"
        if self.who == SECRET:
            return "anyone with the secret link or token"
        if self.who == SIGNED_IN:
            return "any signed-in user"
        return ", ".join(self.who)


def public(relation: str = "") -> Access:
    return Access(PUBLIC, relation)


def secret(relation: str) -> Access:
    return Access(SECRET, relation)


def signed_in(relation: str = "") -> Access:
    return Access(SIGNED_IN, relation)


def roles(*names: str, relation: str = "", hidden: bool = False) -> Access:
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return Access(tuple(names), relation, hidden)


def hidden(access: Access) -> Access:
    """The same rule answering 404, as for a missing id, to a caller without the
    relation (API ids can be enumerated)."""
    return replace(access, hidden=True)


ADMIN = roles("admin")
OWN_DATA = roles("citizen", "admin", relation="one's own personal data")
STAFF_OWN = roles("secretary", "host", "deputy", "officer", "inspector", "admin", "operator",
                  relation="one's own account (two-step verification is for staff)")
UNIT_SECRETARY = roles("secretary", "admin", relation="secretary of the unit (or above)")
OWNER = roles("citizen", relation="the booking's own citizen")
OWNER_OR_SECRETARY = roles("citizen", "secretary", "admin",
                           relation="the booking's citizen, or a secretary of its unit")
CASE_VIEWERS = roles("citizen", "secretary", "host", "deputy", "inspector", "admin",
                     relation="the booking's citizen; secretary, host, deputy or inspector "
                              "of its unit")
#: "host" here is the host acting in the session: its host, or, when one is set, the
#: deputy authorised in its place (a deputy or host of exactly its unit). A deputy who
#: is not acting (the role table's deputy) does not work the session.
SESSION_WORKERS = roles("secretary", "host", "admin",
                        relation="works the session: its acting host, or a secretary of "
                                 "its unit")
SESSION_HOST = roles("host", relation="the host acting in the session: its host, or the "
                                      "deputy authorised in its place")
EXTRACT_READERS = roles("citizen", "secretary", "host", "admin",
                        relation="the booking's citizen, or works its session; for a "
                                 "denunciation only those who may see the denouncer")
MINUTES_READERS = roles("secretary", "host", "inspector", "admin",
                        relation="works the session, or inspector of its unit")
TASK_VIEWERS = roles("secretary", "host", "officer", "inspector", "admin",
                     relation="officer of the assigned agency; works the case's session; "
                              "inspector of its unit")
TASK_REPORTERS = roles("officer", "secretary", "admin",
                       relation="officer of the assigned agency, or secretary of the "
                                "case's unit")
DASHBOARD = roles("secretary", "host", "deputy", "admin",
                  relation="units where the role is held and the units right below")
ROOM_CITIZEN = roles("citizen", relation="holds an accepted booking in the session",
                     hidden=True)
POINT_OPERATOR = roles("operator", relation="operator of a reception point with citizens in "
                                            "the session")
INVITE_LINK = secret("the one-time invite link")

WEB: dict[str, Access] = {
    "static": public("vendored assets"),
    "main.home": public(),
    "main.healthz": public(),
    "main.favicon": public(),
    "main.set_language": public(),
    "main.set_text_size": public(),
    "main.guide": public(),
    "main.guide_image": public(),
    "metrics.metrics": secret("METRICS_TOKEN bearer, or a loopback address"),
    "auth.login": public("20 POSTs per 15 minutes per address; 429 after 10 failures for "
                         "one account from one address in 15 minutes"),
    "auth.logout": public(),
    "auth.oidc_login": public("redirects to VNeID; 404 while OIDC_ISSUER is unset; "
                              "20 per 15 minutes per address"),
    "auth.oidc_callback": public("the provider's answer, checked against the state kept in "
                                 "the session; 20 per 15 minutes per address"),
    "auth.register": public("10 POSTs per hour per address"),
    "auth.login_totp": public("second step of a login: the pending login kept in the session"),
    "auth.password_reset": public("the same answer for any username; 5 POSTs per hour per "
                                  "username, 20 per address"),
    "auth.password_reset_confirm": public("the code sent to the account; 10 POSTs per 15 "
                                          "minutes per username, 30 per address"),
    "auth.register_confirm": public("the code sent by SMS to the new account's phone"),
    "auth.register_resend": public("the same answer for any number; 5 POSTs per hour per "
                                   "number, 20 per address"),
    "auth.profile": signed_in("one's own profile"),
    "auth.security": STAFF_OWN,
    "auth.totp_enable": STAFF_OWN,
    "auth.totp_disable": STAFF_OWN,
    "auth.recovery_codes": STAFF_OWN,
    "auth.change_password": signed_in("one's own password"),
    "auth.end_other_sessions": signed_in("one's own other sessions and tokens"),
    "admin.index": ADMIN,
    "admin.units": ADMIN,
    "admin.import_units": ADMIN,
    "admin.unit_edit": ADMIN,
    "admin.unit_hosts": ADMIN,
    "admin.unit_agencies": ADMIN,
    "admin.agency_edit": ADMIN,
    "admin.agency_add_officer": ADMIN,
    "admin.people": ADMIN,
    "admin.person": ADMIN,
    "admin.person_details": ADMIN,
    "admin.person_grant_role": ADMIN,
    "admin.revoke_role": ADMIN,
    "admin.account_action": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.invite": ADMIN,
    "admin.accept_invite": secret("the invitation link"),
    "rulebook.public": public("the law in force on a date; no personal data"),
    "rulebook.admin_rules": ADMIN,
    "rulebook.admin_rule_edit": ADMIN,
    "rulebook.admin_rule_add": ADMIN,
    "privacy.mine": OWN_DATA,
    "privacy.export_json": OWN_DATA,
    "privacy.export_zip": OWN_DATA,
    "privacy.delete": OWN_DATA,
    "audit.search": ADMIN,
    "audit.export": ADMIN,
    "notify.index": ADMIN,
    "notify.retry": ADMIN,
    "schedules.holidays": ADMIN,
    "schedules.holiday_remove": ADMIN,
    "schedules.public_index": public(),
    "schedules.session_detail": public("management forms only for the unit's secretary"),
    "schedules.cancel": UNIT_SECRETARY,
    "schedules.deputy": UNIT_SECRETARY,
    "schedules.manage": roles("secretary", "admin", relation="lists the secretary's units"),
    "schedules.schedule_new": roles("secretary", "admin",
                                    relation="secretary of the chosen unit"),
    "schedules.schedule_edit": UNIT_SECRETARY,
    "schedules.schedule_stop": UNIT_SECRETARY,
    "schedules.preview_json": roles("secretary", "admin"),
    "schedules.adhoc_new": roles("secretary", "admin", relation="secretary of the chosen unit"),
    "schedules.compliance": roles("secretary", "host", "admin",
                                  relation="units where the role is held"),
    "bookings.start": public("choosing a province; the steps need a citizen"),
    "bookings.step_unit": roles("citizen", "admin"),
    "bookings.step_session": roles("citizen", "admin"),
    "bookings.step_identity": roles("citizen", "admin"),
    "bookings.step_slot": roles("citizen", "admin"),
    "bookings.step_place": roles("citizen", "admin"),
    "bookings.step_type": roles("citizen", "admin"),
    "bookings.step_field": roles("citizen", "admin"),
    "bookings.step_summary": roles("citizen", "admin"),
    "bookings.step_group": roles("citizen", "admin"),
    "bookings.step_representatives": roles("citizen", "admin"),
    "bookings.step_files": roles("citizen", "admin"),
    "bookings.step_consents": roles("citizen", "admin"),
    "bookings.step_check": roles("citizen", "admin"),
    "bookings.mine": signed_in("one's own bookings"),
    "bookings.detail": OWNER,
    "bookings.done": OWNER,
    "calendar.booking_invite": OWNER,
    "bookings.upload": OWNER,
    "bookings.rate": OWNER,
    "bookings.cancel": OWNER_OR_SECRETARY,
    "bookings.reschedule": OWNER_OR_SECRETARY,
    "bookings.download": CASE_VIEWERS,
    "bookings.signed_action": secret("the signed link sent to the citizen"),
    "bookings.track": public("the tracking code; no personal data"),
    "bookings.triage": roles("secretary", "admin", relation="bookings of the secretary's units"),
    "bookings.decide": UNIT_SECRETARY,
    "bookings.classify": UNIT_SECRETARY,
    "bookings.receipt": OWNER,
    "calendar.unit_feed": public("public sessions only"),
    "calendar.me_feed": secret("the personal calendar token"),
    "live.console_index": roles("secretary", "host", "deputy", "admin",
                                relation="sessions the person works"),
    "live.room": ROOM_CITIZEN,
    "live.consent": ROOM_CITIZEN,
    "live.connection_test": roles("citizen", "secretary", "host", "admin",
                                  relation="holds a booking in the session, or works it",
                                  hidden=True),
    "live.host_console": SESSION_HOST,
    "live.secretary_console": SESSION_WORKERS,
    "live.case_list": SESSION_WORKERS,
    "live.board": public("ticket numbers only, no names"),
    "live.ice_server_list": signed_in(),
    "live.push_subscription": ROOM_CITIZEN,
    "live.service_worker": public("a static script"),
    "live.recording_chunk": SESSION_HOST,
    "live.recording_finish": SESSION_HOST,
    "live.recording_file": SESSION_WORKERS,
    "live.point_console": POINT_OPERATOR,
    "live.create_call_invite": SESSION_WORKERS,
    "live.guest_page": INVITE_LINK,
    "minutes.edit": MINUTES_READERS,
    "minutes.data": MINUTES_READERS,
    "minutes.panel": MINUTES_READERS,
    "minutes.save": SESSION_WORKERS,
    "minutes.session_cases": SESSION_WORKERS,
    "tasks.mine": roles("officer", "secretary", "admin",
                        relation="tasks of the officer's agencies / secretary's units"),
    "tasks.detail": TASK_VIEWERS,
    "tasks.attachment": TASK_VIEWERS,
    "tasks.report": TASK_REPORTERS,
    "tasks.review": roles("secretary", "admin", relation="secretary of the case's unit"),
    "tasks.case": roles("secretary", "host", "admin",
                        relation="works the case's session"),
    "tasks.apology_download": secret("the link sent to the citizen"),
    "reports.desk": roles("secretary", "host", "deputy", "admin",
                          relation="sessions, triage and overdue tasks of the secretary's "
                                   "units; the sessions the chairman hosts"),
    "reports.dashboard": DASHBOARD,
    "reports.dashboard_json": DASHBOARD,
    "reports.dashboard_csv": DASHBOARD,
    "reports.register": roles("secretary", "admin", relation="secretary of the unit"),
    "reports.register_download": roles("secretary", "admin", relation="secretary of the unit"),
    "reports.conclusion_download": SESSION_WORKERS,
    "reports.conclusion_extract_download": EXTRACT_READERS,
    "bookings.refusal_notice_download": roles(
        "secretary", "admin", relation="secretary of the booking's unit"),
    "points.unit_points": ADMIN,
    "points.point_edit": ADMIN,
    "points.point_add_operator": ADMIN,
    "pointdesk.index": roles("operator", "admin", relation="the points the operator works: "
                                                          "their sessions and citizens"),
    "pointdesk.check_in": roles("operator", "admin", hidden=True,
                                relation="the citizen joins from a point the operator works"),
    "pointdesk.book": roles("operator", "admin", hidden=True,
                            relation="a session served by a point the operator works"),
}

API: dict[str, Access] = {
    "api.openapi": public(),
    "api.login": public("429 after 10 failures for one account from one address in 15 "
                        "minutes"),
    "api.register": public(),
    "api.register_confirm": public("the code sent by SMS to the new account's phone"),
    "api.register_resend": public("the same answer for any number; 5 per hour per number"),
    "api.password_reset": public("202 for any username; 5 per hour per username, 20 per "
                                 "address"),
    "api.password_reset_confirm": public("the code sent to the account; 10 per 15 minutes "
                                         "per username, 30 per address"),
    "api.logout": signed_in("revokes the token used"),
    "api.calendar_token": signed_in("one's own feed"),
    "api.units": public(),
    "api.hosts": public(),
    "api.points": public("active reception points of a unit"),
    "api.agencies": roles("secretary", "host", "deputy", "officer", "inspector", "admin",
                          "operator", relation="staff of the unit"),
    "api.track": public("the tracking code; no personal data"),
    "api.list_sessions": public(),
    "api.get_session": public(),
    "api.create_session": roles("secretary", "admin", relation="secretary of the unit"),
    "api.cancel_session": UNIT_SECRETARY,
    "api.set_deputy": roles("secretary", "host", "admin",
                            relation="secretary of the unit, or the session's host"),
    "api.conclusion_docx": SESSION_WORKERS,
    "api.conclusion_extract_docx": hidden(EXTRACT_READERS),
    "api.refusal_notice_docx": hidden(UNIT_SECRETARY),
    "api.create_schedule": roles("secretary", "admin", relation="secretary of the unit"),
    "api.preview_schedule": roles("secretary", "admin", relation="secretary of the unit"),
    "api.get_schedule": UNIT_SECRETARY,
    "api.update_schedule": UNIT_SECRETARY,
    "api.stop_schedule": UNIT_SECRETARY,
    "api.compliance": roles("secretary", "host", "admin", relation="of the unit"),
    "api.register_xlsx": roles("secretary", "admin", relation="secretary of the unit"),
    "api.refusal_grounds": roles("secretary", "host", "deputy", "officer", "inspector",
                                 "admin", "operator", relation="any staff"),
    "api.create_booking": roles("citizen"),
    "api.get_booking": hidden(CASE_VIEWERS),
    "api.cancel_booking": hidden(OWNER_OR_SECRETARY),
    "api.reschedule_booking": hidden(OWNER_OR_SECRETARY),
    "api.decide_booking": hidden(UNIT_SECRETARY),
    "api.booking_invite_ics": hidden(OWNER),
    "api.upload_attachment": hidden(OWNER),
    "api.download_attachment": hidden(CASE_VIEWERS),
    "api.rate_booking": hidden(OWNER),
    "api.related_bookings": hidden(roles("secretary", "host", "inspector", "admin",
                                         relation="secretary, host or inspector of the unit")),
    "api.create_call_invite": hidden(SESSION_WORKERS),
    "api.put_minutes": hidden(SESSION_WORKERS),
    "api.get_minutes": hidden(MINUTES_READERS),
    "api.minutes_versions": hidden(MINUTES_READERS),
    "api.create_task": hidden(roles("secretary", "host", "admin",
                                    relation="works the case's session")),
    "api.case_tasks": hidden(MINUTES_READERS),
    "api.list_tasks": roles("officer", "secretary", "admin",
                            relation="tasks of the officer's agencies / secretary's units"),
    "api.get_task": hidden(TASK_VIEWERS),
    "api.get_attachment": hidden(TASK_VIEWERS),
    "api.patch_task": hidden(TASK_REPORTERS),
    "api.add_attachment": hidden(TASK_REPORTERS),
    "api.review_task": hidden(roles("secretary", "admin",
                                    relation="secretary of the case's unit")),
}

#: Socket.IO events of ``/live`` by (event, variant): ``join`` differs by the role asked.
#: Staff events need the caller to have joined the session in that role first.
SOCKET: dict[tuple[str, str], Access] = {
    ("connect", ""): public("an API token, the session cookie, or neither (a display)"),
    ("disconnect", ""): public("ends the socket's own waiting-room presence"),
    ("join", "display"): public("ticket numbers only"),
    ("join", "citizen"): roles("citizen", relation="holds an accepted booking in the "
                                                   "session and consented to the recording"),
    ("join", "secretary"): SESSION_WORKERS,
    ("join", "host"): SESSION_HOST,
    ("join", "point"): POINT_OPERATOR,
    ("join", "guest"): INVITE_LINK,
    ("echo", ""): public("connection test"),
    ("start_call", ""): roles("citizen", "operator",
                              relation="joined as citizen, called; or as the point of the "
                                       "called citizen, the recording consent confirmed"),
    ("signal", ""): roles("citizen", "host", "operator",
                          relation="a party of the current call: the acting host, the citizen "
                                   "or their point, or a guest by the one-time link"),
    ("call_parties", ""): roles("citizen", "host", "operator",
                                relation="a party of the current call (guests too, by the "
                                         "one-time link)"),
    ("enter_call", ""): secret("the one-time invite link, once its case is in the call"),
    ("point_check_in", ""): roles("operator", relation="joined as the point the citizen "
                                                       "joins from"),
    ("call_next", ""): SESSION_HOST,
    ("recall", ""): SESSION_HOST,
    ("mark_no_show", ""): SESSION_HOST,
    ("finish", ""): SESSION_HOST,
    ("refuse", ""): roles("secretary", "host", "admin",
                          relation="joined the session as its acting host or its secretary; "
                                   "a ground that arises at the session"),
    ("announce", ""): SESSION_HOST,
    ("open_session", ""): SESSION_HOST,
    ("close_session", ""): SESSION_HOST,
}


def rule_for(endpoint: str) -> Access | None:
    """The rule of a web or API endpoint, or None when it has none."""
    return API.get(endpoint) if endpoint.startswith("api.") else WEB.get(endpoint)
