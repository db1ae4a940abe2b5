"""The stamp every printed page carries (seed 003 §48): organisation, time, who printed."""
from __future__ import annotations

from flask import g

from app.i18n import format_datetime
from app.models.mixins import utcnow


def print_stamp(org_name: str | None = None) -> dict:
    user = getattr(g, "user", None)
    who = f"{user.first_name} {user.last_name} ({user.username})" if user is not None and \
        getattr(user, "is_authenticated", False) else ""
    return {"org": org_name or "", "at": format_datetime(utcnow()), "by": who}
