"""The product's notion of "today", the school's calendar day, on the ground floor (models,
services and views read it) so that the edit window, access grants and tests agree. Tests monkeypatch :func:`today`; callers use
``clock.today()`` (never ``from ... import today``)."""
from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()
