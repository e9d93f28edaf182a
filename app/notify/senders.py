"""How an outbox message leaves: SMTP e-mail, an HTTP SMS gateway, Zalo ZNS, Web Push
(push.py), or the log (development).

A sender has one method, ``send(notification)``, which returns when the message was
handed over and raises otherwise (the dispatch job records the error and retries).
The HTTP senders keep the provider's answer in ``notification.provider_answer`` and
its message id in ``notification.provider_id``.
"""

from __future__ import annotations

import html
import logging
import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote, unquote, urlsplit

import requests

from .zalo import PHONE_REFUSALS, template_data, template_for, zns_phone

log = logging.getLogger(__name__)

SMTP_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
SMS_TIMEOUT_SECONDS = 10
ANSWER_CHARS = 4000
# Where gateways put the id of the message they took, in their JSON answer.
ID_FIELDS = ("msg_id", "message_id", "messageId", "id", "SMSID", "sms_id")
SMTP_TIMEOUT_SECONDS = 30
# Messages a citizen may ask to stop: reminders. Everything else answers an action of
# theirs or a decision about their case, and carries no List-Unsubscribe.
UNSUBSCRIBABLE_PREFIXES = ("booking_reminder",)
_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)
_URL = re.compile(r"https?://[^\s<>\"]+")


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


class PhoneRefused(SendError):
    """Zalo cannot reach this phone (no Zalo account...): the message goes by SMS."""


def _record_answer(notification, response) -> dict:
    """Keep the provider's answer and its message id; the answer's JSON object, or {}."""
    notification.provider_answer = response.text[:ANSWER_CHARS]
    try:
        answer = response.json()
    except ValueError:
        return {}
    if not isinstance(answer, dict):
        return {}
    for place in (answer.get("data"), answer):
        if isinstance(place, dict):
            found = next((place[f] for f in ID_FIELDS if place.get(f)), None)
            if found is not None:
                notification.provider_id = str(found)[:120]
                break
    return answer


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
        """The MIME message of a notification.

        ``multipart/alternative`` of the text (``text/plain``), the same text as HTML
        and, when the notification has one, its invitation (``text/calendar;
        method=REQUEST|CANCEL``, RFC 6047); with an invitation, the whole goes in a
        ``multipart/mixed`` with the same calendar attached as ``invite.ics``
        (``application/ics``) for Outlook, as calendar services send it. Every text
        part is UTF-8 in quoted-printable, so no server needs 8BITMIME; the subject is
        an RFC 2047 encoded word. The Message-ID is the idempotency key.
        """
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["Date"] = formatdate(localtime=True)
        domain = self.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<{idempotency_key(notification)}@{domain}>"
        if (notification.kind or "").startswith(UNSUBSCRIBABLE_PREFIXES):
            address = parseaddr(self.sender)[1] or self.sender
            message["List-Unsubscribe"] = f"<mailto:{address}?subject={quote('unsubscribe')}>"
        text = notification.body or ""
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html_body(text), subtype="html", cte="quoted-printable")
        calendar = notification.calendar or ""
        if calendar:
            method = calendar_method(calendar)
            message.add_alternative(calendar, subtype="calendar", cte="quoted-printable",
                                    params={"method": method})
            message.add_attachment(calendar.encode(), maintype="application", subtype="ics",
                                   filename="invite.ics")
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


def calendar_method(calendar: str) -> str:
    """The iTIP METHOD of an iCalendar text (REQUEST, CANCEL...); REQUEST when absent."""
    found = _METHOD.search(calendar)
    return found.group(1) if found else "REQUEST"


def html_body(text: str) -> str:
    """The HTML alternative of a plain-text message: its lines, escaped, links made
    clickable, paragraphs where the text has blank lines."""
    def line(raw: str) -> str:
        parts, last = [], 0
        for found in _URL.finditer(raw):
            url = found.group(0)
            parts += [html.escape(raw[last:found.start()]),
                      f'<a href="{html.escape(url)}">{html.escape(url)}</a>']
            last = found.end()
        return "".join(parts) + html.escape(raw[last:])

    paragraphs = [block for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    inner = "\n".join("<p>" + "<br>\n".join(line(x) for x in block.splitlines()) + "</p>"
                       for block in paragraphs)
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
            f'<body>\n{inner}\n</body></html>\n')


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
            _record_answer(notification, response)
            if not 200 <= response.status_code < 300:
                raise SendError(f"SMS gateway answered HTTP {response.status_code}: "
                                f"{response.text[:200]}")


class ZaloZnsSender:
    """POST a message in Zalo's ZNS format (CONTRACT §6) with the ``access_token`` header.

    Zalo answers HTTP 200 with ``{"error": 0, "data": {"msg_id"}}`` when it took the
    message, else with a negative ``error``: one of ``PHONE_REFUSALS`` (the phone has no
    Zalo...) raises :class:`PhoneRefused`, any other a :class:`SendError` retried later.
    ``tracking_id`` is the idempotency key, also sent as the ``Idempotency-Key`` header.
    """

    def __init__(self, url: str, token: str | None, templates: dict,
                 timeout: float = SMS_TIMEOUT_SECONDS):
        self.url, self.token, self.timeout = url, token, timeout
        self.config = {"ZALO_ZNS_TEMPLATES": templates}

    def payload(self, notification) -> dict:
        """The JSON body for ``notification``; PhoneRefused if its kind has no template."""
        template_id = template_for(notification.kind, self.config)
        if template_id is None:
            raise PhoneRefused(f"no ZNS template for {notification.kind!r}")
        return {"phone": zns_phone(notification.recipient), "template_id": template_id,
                "template_data": template_data(notification.kind, notification.facts),
                "tracking_id": idempotency_key(notification)}

    def send(self, notification) -> None:
        payload = self.payload(notification)
        headers = {"access_token": self.token or "",
                   "Idempotency-Key": payload["tracking_id"]}
        with requests.post(self.url, json=payload, headers=headers,
                           timeout=self.timeout) as response:
            answer = _record_answer(notification, response)
            if not 200 <= response.status_code < 300:
                raise SendError(f"Zalo ZNS answered HTTP {response.status_code}: "
                                f"{response.text[:200]}")
        error = answer.get("error")
        if error == 0:
            return
        text = f"Zalo ZNS error {error}: {str(answer.get('message', ''))[:200]}"
        if error in PHONE_REFUSALS:
            raise PhoneRefused(text)
        raise SendError(text if answer else f"Zalo ZNS answered: {response.text[:200]}")


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
    if channel == "zalo" and config.get("ZALO_ZNS_URL"):
        return ZaloZnsSender(config["ZALO_ZNS_URL"], config.get("ZALO_OA_ACCESS_TOKEN"),
                             config.get("ZALO_ZNS_TEMPLATES") or {})
    return LogSender()
