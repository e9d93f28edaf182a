"""The fuzzed server: ``wsgi.py`` with rate limits off, so every request reaches the code.

Rate limits are tested on their own (tests/api); here they would only turn most
generated logins and registrations into 429 answers.
"""

from __future__ import annotations

import os

from app import create_app
from app.extensions import socketio

app = create_app({"RATELIMIT_ENABLED": False})

if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=int(os.environ["PORT"]),
                 allow_unsafe_werkzeug=True)
