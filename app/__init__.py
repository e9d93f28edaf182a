"""The web application: create_app() builds it; importing this package starts nothing."""

from __future__ import annotations

import os

from flask import Flask

from .config import BASE_DIR, INSTANCE_DIR, load_config

BLUEPRINTS = (
    "app.main.views:bp",
    "app.auth.views:bp",
    "app.admin.views:bp",
    "app.schedules.views:bp",
    "app.calendar.views:bp",
    "app.bookings.views:bp",
    "app.live.views:bp",
    "app.admin.outbox_views:bp",
    "app.minutes.views:bp",
    "app.tasks.views:bp",
    "app.reports.views:bp",
    "app.metrics.views:bp",
    "app.admin.audit_views:bp",
    "app.rulebook.views:bp",
    "app.privacy.views:bp",
    "app.points.views:bp",
    "app.pointdesk.views:bp",
    "app.api:bp",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the application. ``config`` overrides the settings read from the environment."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(load_config(config))
    from .jsonlimits import LimitedJSONProvider

    app.json = LimitedJSONProvider(app)  # request bodies nested too deep are a 400
    from .logs import configure_logging

    configure_logging(app)
    # Socket.IO /live handlers register on the unbound socketio before init_app binds it.
    from .live import events  # noqa: F401
    _init_extensions(app)
    if app.config.get("PROXY_COUNT"):  # outermost, so that Socket.IO sees it too
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from . import models  # noqa: F401  (every table on the metadata)
    from .web import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    _register_blueprints(app)
    from . import cli, compression, doors, errors, web
    from .metrics import services as metrics

    compression.init_app(app)  # first registered, so its after_request runs last
    metrics.init_app(app)
    errors.init_app(app)
    doors.init_app(app)
    doors.guard_views(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import persistence
    from .extensions import babel, csrf, db, limiter, login, socketio
    from .i18n import select_locale, select_timezone

    persistence.configure(app)
    db.init_app(app)
    persistence.install_sqlite_pragmas(app, db)
    persistence.install_postgres_connections(app, db)
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" or app.testing:
        persistence.init_migrations(app)  # web processes never load Alembic (~10 MB)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(BASE_DIR / "translations"),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    from .live.fanout import client_manager
    from .live.rooms import decline_websocket_compression

    if app.config["SOCKETIO_ASYNC_MODE"] != "gevent" or not _installed("geventwebsocket"):
        decline_websocket_compression()  # simple-websocket serves the WebSockets
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        # Flask-SocketIO's own choice of queue manager, able to carry one notice per
        # queue change instead of one message per citizen (app/live/fanout.py).
        client_manager=client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"], app),
        # None = same origin only (also behind a proxy's X-Forwarded-Host/Proto): a
        # page of another site cannot open /live with the visitor's cookie.
        cors_allowed_origins=None,
        # Per-message compression costs latency and memory for small queue
        # messages (PERFORMANCE.md): keep it off.
        websocket_compression=False,
        http_compression=False,
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
    )
    from .live import door

    door.install(socketio.server)  # /live payloads nested too deep are a bad_request
    from .auth import loaders

    loaders.init_app(app)


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for target in BLUEPRINTS:
        module_name, attr = target.split(":")
        app.register_blueprint(getattr(import_module(module_name), attr))
