"""Locale helpers: the current locale, per-user memory of the choice, Babel formatting."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale  # noqa: F401

SUPPORTED = ("kk", "ru", "ky", "en")


def current_locale() -> str:
    if has_request_context():
        try:
            loc = get_locale()
            if loc is not None:
                return str(loc.language)
        except Exception:  # pragma: no cover - outside babel context
            pass
    return "ru"


def remember_locale() -> None:
    """Before each request: keep the session locale in step with the user's choice.

    - ``/lang/<xx>`` (FAB's switcher) stores the choice on the user's person record;
    - a fresh session takes the user's stored choice, else the language of the
      user's organisation, else the configured default.
    """
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return
    from app.services.people import person_of_user  # late import: models need the app

    if request.endpoint == "LocaleView.index":
        loc = (request.view_args or {}).get("locale")
        if loc in current_app.config["LANGUAGES"]:
            person = person_of_user(user.id)
            if person is not None and person.preferred_locale != loc:
                person.preferred_locale = loc
                from app.extensions import db

                db.session.commit()
        return
    if "locale" in session:
        return
    person = person_of_user(user.id)
    loc = None
    if person is not None:
        loc = person.preferred_locale
        if not loc:
            active = [m for m in person.memberships if m.end_date is None]
            if active:
                loc = active[0].organization.language
    if loc in current_app.config["LANGUAGES"]:
        session["locale"] = loc


def N_(text: str) -> str:
    """Mark a string for extraction without translating it now (menu names: FAB stores
    them untranslated and translates them when it renders the menu)."""
    return text
