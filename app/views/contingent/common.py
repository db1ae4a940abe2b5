"""What the contingent pages share: column labels, the school of a list or book (``?org=``),
the write check of a page that only writers open, dates read from a request."""
from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_babel import lazy_gettext as _l

from app.models.org import Organization
from app.security.scopes import can_staff_read_org, current_scope
from app.services.contingent import queries
from app.services.contingent.movements import check_contingent_writer
from app.services.errors import ScopeError

LABELS = {
    "organization": _l("Organization"), "number": _l("Order number"), "date": _l("Date"),
    "summary": _l("Summary"), "kind": _l("Kind"), "scan_name": _l("Scan"),
    "scan_file": _l("Scan of the order"), "annulled_on": _l("Annulled on"),
    "annul_reason": _l("Reason for annulment"), "person": _l("Pupil"),
    "from_class": _l("From class"), "to_class": _l("To class"), "order": _l("Order"),
    "reason": _l("Reason"), "period": _l("Quarter"),
    "other_organization": _l("Other school")}


def writable_or_403(org_id: int | None) -> None:
    """A page only the school's writers open: 403 for anybody else (the movements' rule)."""
    try:
        check_contingent_writer(current_scope(), org_id)
    except ScopeError:
        abort(403)


def org_param() -> Organization | None:
    """The school of a report or list: ``?org=``, else the only one the user reads as staff;
    404 when the user does not read it as staff."""
    raw = request.args.get("org", type=int)
    if raw is None:
        orgs = queries.staff_schools(current_scope())
        return orgs[0] if len(orgs) == 1 else None
    if not can_staff_read_org(raw):
        abort(404)
    return queries.organization(raw) or abort(404)


def date_arg_form(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(name) or "")
    except ValueError:
        return None


def date_arg(name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get(name) or "") or default
    except ValueError:
        return default
