"""The administrators' view of the outbox: what was sent, what waits, what failed.

Messages to a denouncer show neither the recipient nor the text (CONTRACT §8): only
that a message exists and how its sending went. A message carrying a one-time code
(password reset, phone check) shows its text with the code's digits hidden: the
administrator can see that it went and what it said, never use it to take the account.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.decorators import roles_required
from ..bookings.access import denouncer_ids, denouncer_words
from ..doors import attempt
from ..extensions import db
from ..notify.models import CHANNELS, Notification
from ..notify.services import DIRECT_KINDS
from . import queries, services
from .forms import OutboxFilterForm
from .views import page_arg

bp = Blueprint("notify", __name__, url_prefix="/admin/notifications")
_DIGIT_RUNS = re.compile(r"\d{4,}")


def shown_text(notification: Notification, text: str) -> str:
    """``text`` of ``notification`` as the outbox page shows it: a code message's runs
    of four or more digits become dots."""
    if notification.kind in DIRECT_KINDS:
        return _DIGIT_RUNS.sub(lambda m: "•" * len(m.group()), text or "")
    return text


CHANNEL_NAMES = {"email": _l("Email"), "sms": _l("Tin nhắn SMS"), "zalo": _l("Zalo ZNS")}


def _filters(values) -> dict:
    status = values.get("status") if values.get("status") in queries.OUTBOX_STATUSES else ""
    channel = values.get("channel") if values.get("channel") in CHANNELS else ""
    return {k: v for k, v in (("status", status), ("channel", channel)) if v}


@bp.get("/")
@roles_required("admin")
def index():
    args = _filters(request.args)
    page = queries.outbox_page(args.get("status", ""), args.get("channel", ""), page_arg())
    config = current_app.config
    return render_template("notify/index.html", page=page, args=args,
                           withheld=denouncer_ids(n.user_id for n in page.items),
                           denouncer=denouncer_words(),
                           filters=OutboxFilterForm(request.args),
                           channel_names=CHANNEL_NAMES, shown_text=shown_text,
                           log_only={"email": not config.get("SMTP_URL"),
                                     "sms": not config.get("SMS_GATEWAY_URL")})


@bp.post("/<int:notification_id>/retry")
@roles_required("admin")
def retry(notification_id: int):
    notification = db.get_or_404(Notification, notification_id)
    if attempt(services.retry_notification, notification, actor=current_user)[1]:
        flash(_("Thông báo sẽ được gửi lại trong lần gửi kế tiếp."), "success")
    return redirect(url_for("notify.index", **_filters(request.form)))
