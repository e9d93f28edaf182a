"""GET /metrics: Prometheus text with request counts and database gauges."""

from app.jobs import JOBS, run_job
from app.notify.services import queue_notification


def test_metrics_counts_requests_and_outbox_backlog(app, client, make):
    user = make.make_user()
    queue_notification(user, "test", "Xin chào", "Nội dung", dedupe_key="m1")
    from app.extensions import db

    db.session.commit()
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'tcd_http_requests_total{endpoint="main.healthz",method="GET",status="200"}' in text
    assert 'tcd_outbox_messages{state="pending"} 2.0' in text


def test_metrics_refused_from_another_address(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 403


def test_metrics_with_token_from_another_address(app, client):
    app.config["METRICS_TOKEN"] = "s3cret"
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                          headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 200


def test_job_runs_are_counted(app, client):
    JOBS["noop_for_test"] = ("tests.metrics.test_services:_noop", 60)
    try:
        run_job(app, "noop_for_test")
    finally:
        del JOBS["noop_for_test"]
    text = client.get("/metrics").get_data(as_text=True)
    assert 'tcd_job_runs_total{job="noop_for_test",outcome="ok"}' in text


def _noop():
    return None
