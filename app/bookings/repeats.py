"""Repeat matters at triage: a booking's earlier cases and the cases with a similar
summary, each with the answer it got, so that "already settled / already answered" is
decided with the earlier answer in view (docs/triage.md).

- **Earlier cases**: the same citizen's other bookings in the units the viewer may see,
  shown only when the viewer may know who the citizen is (CONTRACT §8); a denunciation
  among them only when the viewer may see its denouncer too.
- **Similar cases**: bookings of the units the viewer may see whose summary is similar,
  accents and case aside: trigram similarity (pg_trgm's ``similarity``) of at least
  :data:`~sessions.textmatch.SIMILARITY_THRESHOLD`. On PostgreSQL the search runs in
  the database on the GIN index ``ix_bookings_summary_trgm`` over
  ``immutable_unaccent(summary)`` (app/bookings/models.py); elsewhere, or when the
  extensions are missing, in Python over the :data:`FALLBACK_ROWS` newest cases of the
  last :data:`FALLBACK_DAYS` days (sessions/textmatch.py).

The identity rule: a hit's citizen is named only when the viewer may see both the hit's
identity and the booking's; otherwise a denunciation shows the denouncer words and any
other case no name at all (a masked name keeps initials). A hit of the booking's own
citizen is left out of the similar cases unless both identities are visible: a similar
text must never tie a denouncer to a named case. Each denouncer named to staff is an audited reveal.

The answers (outcome, conclusion) are the minutes package's, which sits above this one:
it hands over its lookup at start-up (:func:`provide_answers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, literal, select

from sessions.rules import REFUSAL_GROUNDS
from sessions.textmatch import SIMILARITY_THRESHOLD, similarity, trigrams

from ..auth.access import has_unit_role, scoped_unit_ids
from ..extensions import db
from ..schedules.models import ReceptionSession
from ..timeutil import iso_local, utcnow
from .access import VIEW_ROLES, citizen_name, denouncer_words, may_see_identity, reveal
from .models import Booking
from .queries import units_below

EARLIER_SHOWN = 10
SIMILAR_SHOWN = 5
#: The Python fallback compares with the newest FALLBACK_ROWS cases of the last
#: FALLBACK_DAYS days of the units in view.
FALLBACK_DAYS = 730
FALLBACK_ROWS = 500
SUMMARY_SHOWN = 300
#: Who reads a booking's related cases: staff of its unit who triage or hear it.
RELATED_ROLES = ("secretary", "host", "inspector")


def may_read_related(user, booking: Booking) -> bool:
    """Secretaries, hosts and inspectors of the booking's unit (and administrators)."""
    return has_unit_role(user, booking.reception.unit, *RELATED_ROLES)


@dataclass
class Hit:
    """A related case as one viewer may see it."""

    booking: Booking
    citizen: str | None
    masked: bool
    answer: dict
    score: float | None = None
    same_citizen: bool = False

    def as_dict(self) -> dict:
        b, m = self.booking, self.answer
        data = {
            "id": b.id, "tracking_code": b.tracking_code, "created_at": iso_local(b.created_at),
            "session_date": iso_local(b.reception.starts_at), "unit_code": b.reception.unit.code,
            "status": b.status,
            "matter": {"type": b.matter_type, "field": b.matter_field,
                       "summary": excerpt(b.summary)},
            "citizen": {"full_name": self.citizen, "masked": self.masked},
            "outcome": m.get("outcome") or None,
            "outcome_text": m.get("outcome_text") or None,
            "conclusion": m.get("conclusion") or None,
            "answered_at": iso_local(m["answered_at"]) if m.get("answered_at") else None,
            "decision": None,
            "url": url_for("minutes.edit", booking_id=b.id),
        }
        if b.decided_at is not None:
            data["decision"] = {
                "ground": b.decision_ground or None,
                "ground_text": _(REFUSAL_GROUNDS[b.decision_ground])
                if b.decision_ground in REFUSAL_GROUNDS else None,
                "agency": b.redirect_agency.code if b.redirect_agency else None,
                "note": b.decision_note or None, "at": iso_local(b.decided_at)}
        if self.score is not None:
            data["similarity"] = round(self.score, 2)
            data["same_citizen"] = self.same_citizen
        return data


def excerpt(text: str, size: int = SUMMARY_SHOWN) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size - 1].rstrip() + "…"


def units_in_view(viewer) -> set[int] | None:
    """The units whose cases ``viewer`` sees (None: every unit)."""
    ids = scoped_unit_ids(viewer, *VIEW_ROLES)
    return None if ids is None else units_below(ids)


def _in_units(query, units: set[int] | None):
    query = query.join(ReceptionSession, ReceptionSession.id == Booking.session_id)
    return query if units is None else query.where(ReceptionSession.unit_id.in_(units))


_ANSWERS = "bookings.case_answers"


def provide_answers(app: Flask, lookup) -> None:
    """Set the lookup ``lookup(booking ids) -> {id: {"outcome", "outcome_text",
    "conclusion", "answered_at"}}`` of the answers cases got (app/minutes)."""
    app.extensions[_ANSWERS] = lookup


def _answers_of(bookings) -> dict[int, dict]:
    ids = [b.id for b in bookings]
    lookup = current_app.extensions.get(_ANSWERS)
    return lookup(ids) if ids and lookup else {}


_ALL = object()


def related_cases(booking: Booking, viewer, units=_ALL) -> dict[str, list[Hit]]:
    """``{"earlier": [...], "similar": [...]}`` for ``viewer`` (see the module);
    ``units``: :func:`units_in_view` of the viewer, when already known (a page of many
    bookings)."""
    if units is _ALL:
        units = units_in_view(viewer)
    if units is not None and not units:
        return {"earlier": [], "similar": []}
    own_visible = may_see_identity(viewer, booking)
    earlier = _earlier(booking, viewer, units) if own_visible else []
    scored = _similar(booking, units)
    answers = _answers_of(earlier + [b for b, _score in scored])
    hits_earlier = [Hit(b, citizen_name(b, True), False, answers.get(b.id, {}))
                    for b in earlier]
    for b in earlier:
        if b.is_denunciation:
            reveal(viewer, b, "related")  # audited: shown by name to staff
    hits_similar = []
    for hit, score in scored:
        if len(hits_similar) >= SIMILAR_SHOWN:
            break
        if not has_unit_role(viewer, hit.reception.unit, *VIEW_ROLES):
            continue
        same = hit.citizen_id == booking.citizen_id
        visible = own_visible and may_see_identity(viewer, hit)
        if same and not visible:
            continue  # would tie a hidden identity to this case
        if visible:
            reveal(viewer, hit, "related")
        hits_similar.append(Hit(hit, _hit_name(hit, visible), not visible,
                                answers.get(hit.id, {}), score, same and visible))
    return {"earlier": hits_earlier, "similar": hits_similar}


def _hit_name(hit: Booking, visible: bool) -> str | None:
    """The name, or for a hidden identity the denouncer words (a denunciation) or nothing:
    a masked name would keep initials."""
    if visible:
        return citizen_name(hit, True)
    return denouncer_words() if hit.is_denunciation else None


def _earlier(booking: Booking, viewer, units: set[int] | None) -> list[Booking]:
    query = _in_units(select(Booking), units).where(
        Booking.citizen_id == booking.citizen_id, Booking.id != booking.id).order_by(
        Booking.created_at.desc(), Booking.id.desc()).limit(EARLIER_SHOWN * 3)
    found = [b for b in db.session.scalars(query) if may_see_identity(viewer, b)]
    return found[:EARLIER_SHOWN]


def _similar(booking: Booking, units: set[int] | None) -> list[tuple[Booking, float]]:
    """Candidates with a similar summary, most similar first (more than are shown: the
    identity rule may drop some)."""
    if _database_search_available():
        return _similar_in_database(booking, units)
    return _similar_in_python(booking, units)


def _database_search_available() -> bool:
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(db.session.scalar(select(
        func.to_regproc("immutable_unaccent").isnot(None)
        & func.to_regproc("similarity").isnot(None))))


def _similar_in_database(booking: Booking, units: set[int] | None
                         ) -> list[tuple[Booking, float]]:
    folded = func.immutable_unaccent(Booking.summary)
    target = func.immutable_unaccent(literal(booking.summary))
    score = func.similarity(folded, target)
    db.session.execute(select(func.set_config("pg_trgm.similarity_threshold",
                                              str(SIMILARITY_THRESHOLD), True)))
    query = (_in_units(select(Booking, score), units)
             .where(Booking.id != booking.id, folded.op("%")(target))
             .order_by(score.desc(), Booking.id.desc()).limit(SIMILAR_SHOWN * 4))
    return [(row[0], float(row[1])) for row in db.session.execute(query)]


def _similar_in_python(booking: Booking, units: set[int] | None
                       ) -> list[tuple[Booking, float]]:
    since = utcnow() - timedelta(days=FALLBACK_DAYS)
    rows = db.session.execute(_in_units(select(Booking.id, Booking.summary), units).where(
        Booking.id != booking.id, Booking.created_at >= since).order_by(
        Booking.created_at.desc(), Booking.id.desc()).limit(FALLBACK_ROWS)).all()
    wanted = trigrams(booking.summary)
    scored = sorted(((score, row.id) for row in rows
                     if (score := similarity(wanted, row.summary)) >= SIMILARITY_THRESHOLD),
                    key=lambda pair: (-pair[0], -pair[1]))[:SIMILAR_SHOWN * 4]
    if not scored:
        return []
    found = {b.id: b for b in db.session.scalars(
        select(Booking).where(Booking.id.in_([i for _s, i in scored])))}
    return [(found[i], score) for score, i in scored if i in found]
