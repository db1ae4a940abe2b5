"""Temporary access grants to closed sections of the journal (seed 003 §15): the rule the
page applies to a new grant (:func:`check_grant`, its ``write_rule``) and revoking.

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
from app.models.journal import AccessGrant
from app.models.people import Membership
from app.models.study import SchoolClass, StudyPeriod, Subject
from app.security.journal.scope import can_grant_access
from app.security.scopes import UserScope
from app.services.errors import ScopeError, ValidationError
from app.services.study.setup import is_teacher
from app.services.unit_of_work import command

#: the longest a grant may run, in days from today (decision: a month of school days is
#: enough to correct a closed quarter; the administration grants again if needed)
MAX_GRANT_DAYS = 30


def _granting_person(scope: UserScope, org_id: int) -> int:
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


def check_grant(scope: UserScope, grant: AccessGrant, today: dt.date | None = None) -> None:
    """Validate a new grant for the user of ``scope`` and fill its school and grantor (the
    grant page's ``write_rule``; FAB's add saves it). Refusals name the field:
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


@command
def revoke_grant(scope: UserScope, grant: AccessGrant, now: dt.datetime | None = None) -> None:
    """End an active grant now (``revoked_at``), as one unit of work, for the school's
    administration (ScopeError otherwise); an expired or revoked one is refused."""
    if not can_grant_access(grant.organization_id, scope):
        raise ScopeError(_l("Only the school's administration grants access to its journal"),
                         field="organization", code="scope")
    if grant.state != "active":
        raise ValidationError(_l("Only an active grant can be revoked"), field="revoked_at",
                              code="grant_not_active")
    grant.revoked_at = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
