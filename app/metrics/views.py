"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .services import REGISTRY

bp = Blueprint("metrics", __name__)


def _allowed() -> bool:
    """Loopback callers, or a bearer token equal to METRICS_TOKEN."""
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header, f"Bearer {token}"):
        return True
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics():
    if not _allowed():
        abort(403)
    return generate_latest(REGISTRY), 200, {"Content-Type": CONTENT_TYPE_LATEST}
