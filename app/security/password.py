"""First login: a user with a temporary password must set their own before anything else."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext

ALLOWED_ENDPOINTS = {"ResetMyPasswordView.this_form_get", "ResetMyPasswordView.this_form_post",
                     "AuthDBView.logout", "AuthDBView.login", "static", "appbuilder.static",
                     "LocaleView.index"}


def force_password_change():
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if request.endpoint in ALLOWED_ENDPOINTS or (request.path or "").startswith("/api/"):
        return None
    from app.services.people import person_of_user

    person = person_of_user(user.id)
    if person is not None and person.must_change_password:
        flash(gettext("Please set your own password before you continue."), "warning")
        return redirect(url_for("ResetMyPasswordView.this_form_get"))
    return None
