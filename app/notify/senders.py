"""How an outbox message leaves: SMTP e-mail, an HTTP SMS gateway, Web Push (push.py), or
the log (development).

A sender has one method, ``send(notification)``, which returns when the message was
handed over and raises otherwise (the dispatch job records the error and retries).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import requests

log = logging.getLogger(__name__)

SMTP_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
SMS_TIMEOUT_SECONDS = 10
SMTP_TIMEOUT_SECONDS = 30


def idempotency_key(notification) -> str:
    """The same for every attempt at one outbox message, different for any other.

    Sent as the ``Idempotency-Key`` header to the SMS/Zalo gateway and as the e-mail's
    Message-ID: a message sent again after a dispatcher was killed mid-send is then
    recognised as a copy. The creation time keeps keys apart when ids are given again
    (a database restored from a backup)."""
    created = notification.created_at.strftime("%Y%m%d%H%M%S%f") \
        if notification.created_at else "0"
    return f"tcd-outbox-{notification.id}-{created}"


class SendError(Exception):
    """The transport refused or failed to take the message."""


class LogSender:
    """Development: write the message to the log; it counts as sent.

    The administrators' outbox page shows every such message in full.
    """

    def send(self, notification) -> None:
        log.info("outbox %s #%s to %s: %s\n%s", notification.channel, notification.id,
                 notification.recipient, notification.subject, notification.body)


class EmailSender:
    """SMTP from a URL: ``smtp://user:pass@host:port`` (plain), ``smtps://`` (TLS from
    the start) or ``smtp+starttls://`` (STARTTLS upgrade)."""

    def __init__(self, url: str, sender: str, timeout: float = SMTP_TIMEOUT_SECONDS):
        parts = urlsplit(url)
        if parts.scheme not in SMTP_DEFAULT_PORTS:
            raise SendError(f"SMTP_URL scheme must be one of {', '.join(SMTP_DEFAULT_PORTS)}")
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or SMTP_DEFAULT_PORTS[parts.scheme]
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.sender = sender
        self.timeout = timeout

    def message(self, notification) -> EmailMessage:
        """The MIME message of a notification (UTF-8 plain text)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["Date"] = formatdate(localtime=True)
        domain = self.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<{idempotency_key(notification)}@{domain}>"
        message.set_content(notification.body or "")
        return message

    def send(self, notification) -> None:
        with self._connect() as smtp:
            smtp.send_message(self.message(notification))

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.scheme == "smtp+starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp


class SmsGatewaySender:
    """POST ``{"to", "text"}`` as JSON to an SMS (or Zalo) gateway; 2xx means accepted.

    The ``Idempotency-Key`` header lets the gateway drop a copy sent again after a
    dispatcher died between sending and recording it."""

    def __init__(self, url: str, token: str | None = None,
                 timeout: float = SMS_TIMEOUT_SECONDS):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, notification) -> None:
        headers = {"Idempotency-Key": idempotency_key(notification)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        with requests.post(self.url, json={"to": notification.recipient,
                                           "text": notification.body},
                           headers=headers, timeout=self.timeout) as response:
            if not 200 <= response.status_code < 300:
                raise SendError(f"SMS gateway answered HTTP {response.status_code}: "
                                f"{response.text[:200]}")


def sender_for(channel: str, app):
    """The sender for ``channel`` from ``app``'s settings; the log when none is set."""
    config = app.config
    if channel == "email" and config.get("SMTP_URL"):
        return EmailSender(config["SMTP_URL"], config.get("MAIL_SENDER") or "no-reply@localhost")
    if channel == "push" and config.get("VAPID_PRIVATE_KEY"):
        from .push import WebPushSender

        return WebPushSender(config["VAPID_PRIVATE_KEY"], config.get("VAPID_SUBJECT") or
                             f"mailto:{config.get('MAIL_SENDER') or 'no-reply@localhost'}")
    if channel == "sms" and config.get("SMS_GATEWAY_URL"):
        token = config.get("SMS_GATEWAY_TOKEN") or os.environ.get("SMS_GATEWAY_TOKEN") or None
        return SmsGatewaySender(config["SMS_GATEWAY_URL"], token=token)
    return LogSender()
