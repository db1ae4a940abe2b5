"""The journal's notion of "today" (the school's calendar day), in one place so that the
edit window, access grants and tests agree. Tests monkeypatch :func:`today`; callers use
``journal_clock.today()`` (never ``from ... import today``)."""
from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()
