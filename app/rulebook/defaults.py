"""Today's law from sessions/rules.py as rows of the ``rules`` table.

Imports nothing of the application, so the migration that creates the table seeds it
with exactly what :func:`app.rulebook.services.seed_rules` stores.
"""

from __future__ import annotations

from datetime import date

from sessions.rules import DEADLINES, DEFAULT_DELEGATION, DEFAULT_GROUNDS, DEFAULT_RULES

#: The commune frequency from 1 July 2026 is reported, not confirmed: kept "to verify".
TO_VERIFY_FROM = date(2026, 7, 1)


# --- seeding from today's constants -----------------------------------------------

def default_rows() -> list[dict]:
    """The rows of the law as sessions/rules.py reads it."""
    rows = []
    for r in DEFAULT_RULES:
        rows.append({"kind": "frequency", "code": r.level,
                     "value": {"min_days": r.min_days, "per": r.per},
                     "effective_from": r.effective_from, "effective_until": r.effective_until,
                     "source": r.source, "note": r.note,
                     "to_verify": r.level == "commune" and r.effective_from >= TO_VERIFY_FROM})
    for code, (days, source, _label) in DEADLINES.items():
        rows.append({"kind": "deadline", "code": code, "value": {"working_days": days},
                     "effective_from": date(2014, 7, 1), "effective_until": None,
                     "source": source, "note": "", "to_verify": code in ("notify_online",)})
    for g in DEFAULT_GROUNDS:
        rows.append({"kind": "refusal_ground", "code": g.code,
                     "value": {"text": g.text, "written_notice": g.written_notice,
                               "arises": g.arises},
                     "effective_from": g.effective_from, "effective_until": g.effective_until,
                     "source": g.source, "note": "", "to_verify": False})
    for d in DEFAULT_DELEGATION:
        rows.append({"kind": "delegation", "code": "deputy_hosting",
                     "value": {"allowed": d.allowed},
                     "effective_from": d.effective_from, "effective_until": d.effective_until,
                     "source": d.source, "note": d.note, "to_verify": not d.allowed})
    return rows


