"""Entry point: `app = create_app()`; `python wsgi.py` serves the site, Socket.IO included."""

import os

from app import create_app
from app.extensions import socketio

app = create_app()

if __name__ == "__main__":
    from app.jobs import start_embedded_scheduler
    from app.seed import print_demo_accounts

    start_embedded_scheduler(app)
    print_demo_accounts(app)
    port = int(os.environ.get("PORT", "5000"))
    host = os.environ.get("HOST", "127.0.0.1")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
