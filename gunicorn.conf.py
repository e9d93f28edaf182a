"""gunicorn settings for production: one gevent worker per process (see docs/deployment.md).

Run N such processes on different ports behind nginx with sticky sessions, all with the same
DATABASE_URL, SECRET_KEY and SOCKETIO_MESSAGE_QUEUE, and SCHEDULER=off; one separate
`flask --app wsgi scheduler` process runs the scheduled jobs.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gevent"
workers = 1  # Socket.IO needs sticky sessions: one worker per process, N processes
# gunicorn caps a worker at 1,000 connections by default; the 1,001st client would hang.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "5000"))
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
raw_env = ["SOCKETIO_ASYNC_MODE=gevent"]
