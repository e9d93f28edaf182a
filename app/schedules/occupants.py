"""The bookings a session holds, as the schedules package reaches them.

A booking is made in a session, so app/bookings imports app/schedules and never the
other way round. Yet cancelling, moving or regenerating a session changes its
bookings: app/bookings/occupants.py gives the functions that do it to the application
at start-up (:func:`provide`), and schedules calls them through :func:`occupants`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from .models import ReceptionSession

_KEY = "session_occupants"


@dataclass(frozen=True)
class Occupants:
    """What schedules needs done to the bookings of its sessions."""

    #: ({session id: open bookings}, {session id: all bookings}) of these sessions.
    counts: Callable[[list[int]], tuple[dict[int, int], dict[int, int]]]
    #: The open bookings of a session, oldest first.
    open_in: Callable[[ReceptionSession], list]
    #: Cancel the session's open bookings (reason, actor), tell their citizens; how many.
    cancel: Callable[[ReceptionSession, str, object], int]
    #: Give the open bookings of a moved session (old start, old slot minutes) their
    #: slots again and tell their citizens; (how many, how many left without a slot).
    reslot: Callable[[ReceptionSession, datetime, int], tuple[int, int]]


def provide(app: Flask, occupants_: Occupants) -> None:
    app.extensions[_KEY] = occupants_


def occupants() -> Occupants:
    return current_app.extensions[_KEY]
