"""Outgoing mail through a configurable backend; every message is kept in the outbox."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from app.extensions import db
from app.models.org import OutboxMessage

log = logging.getLogger(__name__)


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Record the message in the outbox and deliver it by the configured backend.

    ``MAIL_BACKEND=log`` (development, tests) writes it to the log only;
    ``MAIL_BACKEND=smtp`` sends it through ``MAIL_SERVER:MAIL_PORT``.
    """
    msg = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(msg)
    backend = current_app.config.get("MAIL_BACKEND", "log")
    if backend == "smtp":
        em = EmailMessage()
        em["From"] = current_app.config["MAIL_SENDER"]
        em["To"] = recipient
        em["Subject"] = subject
        em.set_content(body)
        with smtplib.SMTP(current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"]) as s:
            s.send_message(em)
        msg.sent = True
    else:
        log.info("MAIL to=%s subject=%s\n%s", recipient, subject, body)
    return msg
