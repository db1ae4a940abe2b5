"""People commands (app.services.people) called directly: each checks its own write rule
with the scope it is given, whoever calls it (a page, the REST API, the CLI)."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models.people import Membership, Person, Role
from app.security.scopes import UserScope, build_scope, system_scope
from app.services import people as people_service
from app.services.errors import ScopeError
from tests import factories
from tests.helpers import reload


def scope_of(username: str) -> UserScope:
    return build_scope(current_app.appbuilder.sm.find_user(username=username))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("who", ["school_b_admin", None])
def test_add_participant_outside_scope_refused(net, who):
    """Can an administrator of school B (or nobody: an empty scope) add a new person or an
    existing user to school A1?"""
    scope = scope_of(who) if who else UserScope()
    people, members = _count(Person), _count(Membership)
    with pytest.raises(ScopeError):
        people_service.add_participant(scope, net.SA1, Role.teacher, person=factories.person())
    with pytest.raises(ScopeError):
        people_service.add_participant(scope, net.SA1, Role.teacher, login="teacher_a")
    assert (_count(Person), _count(Membership)) == (people, members)


def test_end_and_restore_membership_outside_scope_refused(net):
    """Can an administrator of school B exclude a teacher of school A1, or restore one from
    school A1's archive?"""
    with pytest.raises(ScopeError):
        people_service.end_membership(scope_of("school_b_admin"), net.teacher_a)
    assert reload(Membership, net.teacher_a.id).end_date is None
    people_service.end_membership(system_scope(), net.teacher_a_plain)
    with pytest.raises(ScopeError):
        people_service.restore_membership(UserScope(), net.teacher_a_plain)
    assert reload(Membership, net.teacher_a_plain.id).end_date is not None


def test_register_outside_scope_refused(net):
    """Can an administrator of school B register (invite) a person of school A1?"""
    person_id = net.teacher_a_plain.person_id
    with pytest.raises(ScopeError):
        people_service.register(scope_of("school_b_admin"), db.session.get(Person, person_id))
    assert reload(Person, person_id).user_id is None


def test_person_and_membership_rules_outside_scope_refused(net):
    """Do the persons' and participants' page and REST rules refuse a change in school A1
    with the scope of school B's administrator?"""
    scope = scope_of("school_b_admin")
    person = db.session.get(Person, net.teacher_a.person_id)
    person.last_name = "Hacked"
    with pytest.raises(ScopeError):
        people_service.check_person(scope, person)
    db.session.rollback()
    m = db.session.get(Membership, net.teacher_a.id)
    m.position = "Hacked"
    with pytest.raises(ScopeError):
        people_service.check_membership(scope, m)
    db.session.rollback()
    new = Membership(person_id=net.teacher_a.person_id, organization_id=net.SB1.id,
                     role=Role.teacher)
    with pytest.raises(ScopeError, match="add this person"):
        people_service.check_membership(scope, new)
    db.session.rollback()
    assert reload(Person, net.teacher_a.person_id).last_name != "Hacked"
    assert reload(Membership, net.teacher_a.id).position != "Hacked"
