"""Organisation commands (app.services.orgs) called directly: each checks its own write rule
with the scope it is given, whoever calls it (a page, the REST API, the CLI)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models.org import (
    EmailConfirmation,
    Organization,
    OrganizationLogo,
    OrgKind,
    OrgType,
)
from app.security.scopes import UserScope, build_scope, system_scope
from app.services import orgs as org_service
from app.services.errors import ScopeError
from tests.helpers import reload


def scope_of(username: str) -> UserScope:
    return build_scope(current_app.appbuilder.sm.find_user(username=username))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def _org_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


@pytest.mark.parametrize("who", ["school_b_admin", None])
def test_create_organization_outside_scope_refused(net, who):
    """Can an administrator of school B (or nobody: an empty scope) create a school below
    district A?"""
    scope = scope_of(who) if who else UserScope()
    before = _org_count()
    with pytest.raises(ScopeError):
        org_service.create_organization(scope, kind=OrgKind.school, short_name="Intruder",
                                        full_name="Intruder", parent=net.DA)
    assert _org_count() == before


def test_close_and_reopen_outside_scope_refused(net):
    """Can an administrator of school B close school A1, or reopen it once closed?"""
    scope = scope_of("school_b_admin")
    with pytest.raises(ScopeError):
        org_service.close_organization(scope, net.SA1)
    assert reload(Organization, net.SA1.id).closed_on is None
    org_service.close_organization(system_scope(), net.SA1, dt.date(2026, 1, 5))
    with pytest.raises(ScopeError):
        org_service.reopen_organization(UserScope(), net.SA1)
    assert reload(Organization, net.SA1.id).closed_on == dt.date(2026, 1, 5)


def test_organization_rule_outside_scope_refused(net):
    """Does the organisation page's and REST resource's rule refuse a change of school A1
    with the scope of school B's administrator?"""
    org = db.session.get(Organization, net.SA1.id)
    org.short_name = "Hacked"
    with pytest.raises(ScopeError):
        org_service.check_organization(scope_of("school_b_admin"), org)
    db.session.rollback()
    assert reload(Organization, net.SA1.id).short_name == "School A1"
    with pytest.raises(ScopeError):
        org_service.check_org_type(scope_of("school_a_admin"), OrgType(code="x", kind="school"))


def test_settings_commands_outside_scope_refused(net):
    """Can an administrator of school B change school A1's logo or appeals e-mail, or a
    district B administrator district A's subordinate list and types?"""
    school_b, district_b = scope_of("school_b_admin"), scope_of("dist_b_admin")
    with pytest.raises(ScopeError):
        org_service.set_logo(school_b, net.SA1, _png(), "logo.png")
    with pytest.raises(ScopeError):
        org_service.request_email_confirmation(school_b, net.SA1, "appeals@example.org")
    with pytest.raises(ScopeError):
        org_service.confirm_email(school_b, net.SA1, "000000")
    with pytest.raises(ScopeError):
        org_service.set_subordination(district_b, net.DA, [net.SA1.id], True)
    types = db.session.scalars(select(OrgType)).all()
    with pytest.raises(ScopeError):
        org_service.set_supervised_types(district_b, net.DA, [t.id for t in types])
    assert db.session.get(OrganizationLogo, net.SA1.id) is None
    assert db.session.scalar(select(func.count()).select_from(EmailConfirmation)) == 0
    school, district = reload(Organization, net.SA1.id), reload(Organization, net.DA.id)
    assert school.appeals_email is None and not school.subordination_excluded
    assert district.supervised_types == []
