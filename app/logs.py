"""Logging of the processes: one stderr handler on the root logger, as text or JSON lines.

``LOG_FORMAT=json`` writes one JSON object per line (``ts``, ``level``, ``logger``,
``msg``, ``pid``, and ``exc`` with the traceback), for journald / Loki / Elasticsearch;
the default ``text`` is ``ts level logger pid: message``. ``LOG_LEVEL`` (default INFO)
sets the level. Tests keep pytest's own capture: nothing is installed when TESTING.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask

FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s")

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds") \
            .replace("+00:00", "Z")


def configure_logging(app: Flask) -> None:
    """Install (or replace) the handler for LOG_FORMAT and LOG_LEVEL."""
    if app.testing:
        return
    fmt = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if fmt not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_tiepcongdan", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._tiepcongdan = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(str(app.config.get("LOG_LEVEL") or "INFO").upper())
