"""Text answers compressed on the way out: brotli or gzip, as the browser accepts.

Flask-Compress does the work (also under ``make run``, where no proxy sits in front).
What it is given and what not:

* pages, JSON, and the static CSS, JS and SVG files. A static file is sent as a
  stream; it is read whole here (the largest is a few tens of kilobytes) so that it is
  compressed like a page, and its ETag gets the encoding appended (``"…:br"``) so that a
  conditional request still answers 304;
* never a streamed answer (exports, downloads): they keep their own length and pace;
* never ``text/calendar``: the calendar feeds and ``invite.ics`` answer If-None-Match
  with their own ETag, which calendar clients keep;
* Socket.IO never reaches Flask's hooks (Engine.IO answers it before) and keeps
  ``http_compression=False``.
"""

from __future__ import annotations

from flask import Flask, request
from flask_compress import Compress

MIMETYPES = [
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
    "application/json", "application/manifest+json",
    "image/svg+xml",
]
#: Endpoints whose streamed file is read whole and compressed.
WHOLE_FILES = frozenset({"static"})

compress = Compress()


def init_app(app: Flask) -> None:
    """Compress the app's text answers (settings overridable by the app's config)."""
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_REGISTER", False)
    compress.init_app(app)

    @app.after_request
    def _compress(response):
        if (request.endpoint in WHOLE_FILES and response.status_code == 200
                and response.mimetype in compress.compress_mimetypes_set
                and response.is_streamed):
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)
