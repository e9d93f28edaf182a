"""Prometheus metrics: request counts and latencies, job runs, and gauges read from the
database at scrape time (queue lengths, outbox backlog), which are the same on every process.
"""

from __future__ import annotations

import time

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from sessions.queue import QueueState

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("tcd_http_requests_total", "HTTP requests", ["method", "endpoint", "status"],
                   registry=REGISTRY)
LATENCY = Histogram("tcd_http_request_seconds", "HTTP request duration", ["endpoint"],
                    registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
JOB_RUNS = Counter("tcd_job_runs_total", "Scheduled job runs", ["job", "outcome"],
                   registry=REGISTRY)


class DatabaseCollector:
    """Gauges computed from the database when /metrics is scraped (in its request)."""

    def describe(self):
        # Names only, so that registering needs no database.
        yield GaugeMetricFamily("tcd_outbox_messages", "Outbox messages", labels=["state"])
        yield GaugeMetricFamily("tcd_queue_waiting", "Citizens waiting, per live session",
                                labels=["session_id"])

    def collect(self):
        from ..extensions import db
        from ..live.models import QueueEntry
        from ..notify.models import Notification

        backlog = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.sent_at.is_(None), Notification.failed_at.is_(None))) or 0
        failed = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.failed_at.is_not(None))) or 0
        waiting = db.session.execute(
            select(QueueEntry.session_id, func.count(QueueEntry.id))
            .where(QueueEntry.state == QueueState.WAITING)
            .group_by(QueueEntry.session_id)).all()
        outbox = GaugeMetricFamily("tcd_outbox_messages", "Outbox messages", labels=["state"])
        outbox.add_metric(["pending"], backlog)
        outbox.add_metric(["failed"], failed)
        yield outbox
        queue = GaugeMetricFamily("tcd_queue_waiting", "Citizens waiting, per live session",
                                  labels=["session_id"])
        for session_id, count in waiting:
            queue.add_metric([str(session_id)], count)
        yield queue


REGISTRY.register(DatabaseCollector())


def init_app(app: Flask) -> None:

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.endpoint or "unknown"
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        if "request_started" in g:
            LATENCY.labels(endpoint).observe(time.perf_counter() - g.request_started)
        return response
