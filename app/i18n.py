"""Locale helpers on the ground floor (models may use them): the current locale and Babel
formatting. The per-user memory of the choice is request glue (``app.hooks``)."""
from __future__ import annotations

from flask import has_request_context
from flask_babel import format_date, format_datetime, format_decimal, get_locale  # noqa: F401

SUPPORTED = ("kk", "ru", "ky", "en")


def current_locale() -> str:
    if has_request_context():
        try:
            loc = get_locale()
            if loc is not None:
                return str(loc.language)
        except (RuntimeError, KeyError, AttributeError):  # pragma: no cover - no Babel here
            return "ru"
    return "ru"


def N_(text: str) -> str:
    """Mark a string for extraction without translating it now (menu names: FAB stores
    them untranslated and translates them when it renders the menu)."""
    return text
