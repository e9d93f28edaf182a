"""Who may see, report on and review a follow-up task.

- officers of the task's agency see it, start it and report its result;
- secretaries of the case's unit (or a unit above) assign, see, report and review it;
- the session's host assigns and sees it; inspectors of the unit see it;
- nobody else, citizens included (they follow the public timeline by tracking code).
"""

from __future__ import annotations

from ..auth.access import agency_ids, has_unit_role
from ..minutes.access import reception_role


def is_agency_officer(user, task) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and \
        task.agency_id in agency_ids(user)


def is_case_secretary(user, task) -> bool:
    return has_unit_role(user, task.booking.reception.unit, "secretary")


def can_assign(user, booking) -> bool:
    """The secretary of the unit and the host of the session assign tasks."""
    return reception_role(user, booking.reception) in ("host", "secretary")


def can_view_task(user, task) -> bool:
    reception = task.booking.reception
    return (is_agency_officer(user, task) or reception_role(user, reception) is not None
            or has_unit_role(user, reception.unit, "inspector"))


def can_report(user, task) -> bool:
    """PATCH /tasks/<id>: officers of the agency and secretaries of the unit."""
    return is_agency_officer(user, task) or is_case_secretary(user, task)


def can_review(user, task) -> bool:
    """Accepting or returning a result: secretaries of the unit."""
    return is_case_secretary(user, task)
