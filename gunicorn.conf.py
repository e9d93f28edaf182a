"""gunicorn settings for production: one gevent worker per process (see docs/deployment.md).

Run N such processes on different ports behind nginx with sticky sessions, all with the same
DATABASE_URL, SECRET_KEY and SOCKETIO_MESSAGE_QUEUE, and SCHEDULER=off; one separate
`flask --app wsgi scheduler` process runs the scheduled jobs.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# gevent, with WebSockets served by gevent-websocket (app/serving.py). With gevent-websocket
# installed, python-engineio's gevent mode needs its handler: plain ``-k gevent`` fails.
worker_class = "app.serving.Worker"
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


def post_worker_init(worker):
    """Garbage collection for a server holding thousands of connections.

    First, everything the application allocated at start-up (~half a million objects
    of loaded code) leaves the collector's sight (``gc.freeze``). Then young objects
    are collected every 50,000 allocations instead of 700: a queue broadcast to a
    thousand citizens allocates tens of thousands of short-lived objects, and with the
    default threshold the collections in the middle of a broadcast moved them to the
    old generation, which then needed a full collection of every connection's objects
    (70–180 ms during which no client got anything) every few calls.
    docs/performance.md has the measurements.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)

