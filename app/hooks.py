"""Request glue, registered once by the factory (``create_app``): what runs around every
request and reads or writes the database for it. Nothing in models, security or services
imports this module; it imports whatever it needs.

- fresh per-request caches (Babel, the user's scope);
- locale memory: ``/lang/<xx>`` stores the choice on the user's person record, a fresh
  session takes the stored choice, else the language of the user's organisation;
- the forced first password change;
- the product's own 403 page (JSON under ``/api/``);
- template context (the current locale).
"""
from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, refresh

from app.extensions import db
from app.i18n import current_locale
from app.security.scopes import reset_scope
from app.services.people import person_of_user

#: pages a user with a temporary password may still open
PASSWORD_CHANGE_ENDPOINTS = {
    "ResetMyPasswordView.this_form_get", "ResetMyPasswordView.this_form_post",
    "AuthDBView.logout", "AuthDBView.login", "static", "appbuilder.static", "LocaleView.index"}


def _logged_in_user():
    user = getattr(g, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def fresh_request_caches() -> None:
    """Per-request caches live on ``g``; when an app context outlives one request (tests,
    CLI), start each request afresh."""
    refresh()
    reset_scope()


def remember_locale() -> None:
    """Keep the session locale in step with the user's choice (see the module's text)."""
    user = _logged_in_user()
    if user is None:
        return
    if request.endpoint == "LocaleView.index":
        loc = (request.view_args or {}).get("locale")
        if loc in current_app.config["LANGUAGES"]:
            person = person_of_user(user.id)
            if person is not None and person.preferred_locale != loc:
                person.preferred_locale = loc
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


def force_password_change():
    """First login: a user with a temporary password must set their own before anything
    else (the REST API answers as usual: a token client has no form to go to)."""
    user = _logged_in_user()
    if user is None:
        return None
    if request.endpoint in PASSWORD_CHANGE_ENDPOINTS or (request.path or "").startswith("/api/"):
        return None
    person = person_of_user(user.id)
    if person is not None and person.must_change_password:
        flash(gettext("Please set your own password before you continue."), "warning")
        return redirect(url_for("ResetMyPasswordView.this_form_get"))
    return None


def forbidden(err):
    """A page in the product's layout (FAB aborts with Werkzeug's bare English page)."""
    if request.path.startswith("/api/"):
        from app.api.http import error_response

        own = err.description if err.description != type(err).description else None
        return error_response(403, str(own or gettext("Forbidden")), "forbidden")
    appbuilder = current_app.appbuilder
    return render_template("forbidden.html", appbuilder=appbuilder,
                           base_template=appbuilder.base_template), 403


def template_context() -> dict:
    return {"current_locale": current_locale()}


def register_request_hooks(app: Flask) -> None:
    app.before_request(fresh_request_caches)
    app.before_request(remember_locale)
    app.before_request(force_password_change)
    app.register_error_handler(403, forbidden)
    app.context_processor(template_context)
