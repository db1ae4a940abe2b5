"""Temporary access grants to closed sections of the journal (seed 003 §15) and the journal
settings of a school: the rules the pages apply before they save.

Grants: given by the school's administration (coordinator-administrator, director, deputy
directors - ``security.journal.scope.can_grant_access``) to a teacher of the school for one class,
subject and period, until a date (inclusive) from today to :data:`MAX_GRANT_DAYS` days ahead,
with a reason. A grant works while ``revoked_at`` is empty and today is not after ``until``:
no background job, expiry is a date comparison. Revoking sets ``revoked_at``; nothing is
deleted.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.journal import AccessGrant, JournalSettings
from app.models.people import Membership
from app.models.study import SchoolClass, StudyPeriod, Subject
from app.security.journal.scope import can_grant_access
from app.services.errors import ScopeError, ValidationError
from app.services.journal.edit_window import EditWindow
from app.services.study.setup import is_teacher

#: the longest a grant may run, in days from today (decision: a month of school days is
#: enough to correct a closed quarter; the administration grants again if needed)
MAX_GRANT_DAYS = 30


def _granting_person(scope, org_id: int) -> int:
    """The user's person that grants in ``org_id`` (a membership there), for ``granted_by``."""
    mine = sorted(scope.person_ids)
    person = db.session.scalars(
        select(Membership.person_id).where(Membership.person_id.in_(mine),
                                           Membership.organization_id == org_id,
                                           Membership.end_date.is_(None))
        .limit(1)).first() if mine else None
    if person is None and mine and scope.everything:
        person = mine[0]
    if person is None:
        raise ScopeError(_l("Only the school's administration grants access to its journal"),
                         field="organization", code="scope")
    return person


def check_grant(grant: AccessGrant, scope, today: dt.date | None = None) -> None:
    """Validate a new grant and fill its school and grantor. Refusals name the field:
    the class, subject and period belong to one school and one year (``school_class``,
    ``subject``, ``period``); the user grants there (ScopeError); the grantee is a teacher of
    the school (``grantee``); ``until`` from today to today + MAX_GRANT_DAYS (``until``); a
    reason (``reason``)."""
    today = today or clock.today()
    school_class = grant.school_class or db.session.get(SchoolClass, grant.class_id)
    subject = grant.subject or db.session.get(Subject, grant.subject_id)
    period = grant.period or db.session.get(StudyPeriod, grant.period_id)
    if school_class is None:
        raise ValidationError(_l("Choose the class"), field="school_class", code="required")
    org_id = school_class.organization_id
    if subject is None or subject.organization_id != org_id:
        raise ValidationError(_l("Choose a subject of the class's school"), field="subject",
                              code="other_school")
    if period is None or period.year_id != school_class.year_id:
        raise ValidationError(_l("Choose a period of the class's academic year"),
                              field="period", code="other_year")
    if not can_grant_access(org_id, scope):
        raise ScopeError(_l("Only the school's administration grants access to its journal"),
                         field="organization", code="scope")
    grantee_id = grant.grantee.id if grant.grantee is not None else grant.grantee_id
    if not is_teacher(org_id, grantee_id):
        raise ValidationError(_l("Access is granted to a teacher of the school"),
                              field="grantee", code="not_teacher")
    if grant.until is None or grant.until < today:
        raise ValidationError(_l("The last day of access cannot be in the past"),
                              field="until", code="until_past")
    if grant.until > today + dt.timedelta(days=MAX_GRANT_DAYS):
        raise ValidationError(
            _l("Access may be granted for at most %(days)s days, until %(date)s",
               days=MAX_GRANT_DAYS,
               date=(today + dt.timedelta(days=MAX_GRANT_DAYS)).isoformat()),
            field="until", code="until_too_far")
    if not (grant.reason or "").strip():
        raise ValidationError(_l("Give the reason for the access"), field="reason",
                              code="reason_required")
    grant.reason = grant.reason.strip()
    grant.organization_id = org_id
    grant.granted_by_id = _granting_person(scope, org_id)


def revoke_grant(grant: AccessGrant, scope, now: dt.datetime | None = None) -> None:
    """End an active grant now (``revoked_at``); an expired or revoked one is refused."""
    if not can_grant_access(grant.organization_id, scope):
        raise ScopeError(_l("Only the school's administration grants access to its journal"),
                         field="organization", code="scope")
    if grant.state != "active":
        raise ValidationError(_l("Only an active grant can be revoked"), field="revoked_at",
                              code="grant_not_active")
    grant.revoked_at = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------- settings

EDIT_WINDOW_LABELS = {
    EditWindow.NEVER: _l("Never closes (until the end of the school year)"),
    EditWindow.ONE_WEEK: _l("One week after the lesson"),
    EditWindow.TWO_WEEKS: _l("Two weeks after the lesson"),
    EditWindow.THREE_WEEKS: _l("Three weeks after the lesson"),
    EditWindow.ONE_MONTH: _l("One month after the lesson"),
}


def check_settings(row: JournalSettings) -> None:
    """A school's journal settings: a known edit window (``edit_window``); criteria weights
    whole percents from 0 that add up to 100 (the field named is the one to fix:
    ``weight_term``); one row per school (``organization``)."""
    try:
        EditWindow(row.edit_window)
    except ValueError:
        raise ValidationError(_l("Unknown edit window %(window)s; use never, 1w, 2w, 3w or 1m",
                                 window=str(row.edit_window)),
                              field="edit_window", code="edit_window_unknown") from None
    weights = {"weight_formative": row.weight_formative, "weight_section": row.weight_section,
               "weight_term": row.weight_term}
    for name, value in weights.items():
        if value is None or value < 0 or value > 100:
            raise ValidationError(_l("A weight is a whole percent from 0 to 100"), field=name,
                                  code="weight_range")
    total = sum(weights.values())
    if total != 100:
        raise ValidationError(
            _l("The weights (formative, section, term) must add up to 100%%; now %(total)s%%",
               total=total), field="weight_term", code="weights_sum")
    org_id = row.organization.id if row.organization is not None else row.organization_id
    row.organization_id = org_id
    other = db.session.scalars(
        select(JournalSettings.id).where(JournalSettings.organization_id == org_id)).first()
    if other is not None and other != row.id:
        raise ValidationError(_l("This school already has journal settings; edit them"),
                              field="organization", code="settings_exist")
