"""The pupil-file network: School A1 with classes 5 A (class teacher ``class_teacher_a``) and
5 B, a pupil in each, a parent user of the 5 A pupil, and a pupil in School B1."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models.people import Person, Role, Sex
from app.models.study import ClassEnrollment
from app.security.scopes import system_scope
from app.services.pupils import files as service
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()

MEDICAL = "Peanut allergy, carries an adrenaline pen"
SOCIAL = "Father works abroad; grandmother cares"


def enrol(cls, person):
    db.session.add(ClassEnrollment(organization_id=cls.organization_id, class_id=cls.id,
                                   person_id=person.id, from_date=dt.date(2026, 9, 1)))


@pytest.fixture()
def pf(net) -> SimpleNamespace:
    s = factories.study_school(net)
    factories.make_user(s.t3, "class_teacher_a")
    n = SimpleNamespace(net=net, s=s)
    n.pupil = factories.student(net.SA1, "student_a", last="Ученикова", first="Аружан",
                                sex=Sex.F)
    n.pupil_b5 = factories.student(net.SA1, None, last="Бэшкина", first="Мадина", sex=Sex.F)
    n.pupil_other = factories.student(net.SB1, None, last="Чужой", first="Тимур")
    enrol(s.c5a, n.pupil)
    enrol(s.c5b, n.pupil_b5)
    db.session.flush()
    n.file = service.open_file(SYSTEM, net.SA1, n.pupil, actual_address="Almaty, Abay 1",
                               medical_note=MEDICAL, social_note=SOCIAL,
                               social_categories="large_family", health_group="2",
                               previous_school="School 7")
    n.file_b5 = service.open_file(SYSTEM, net.SA1, n.pupil_b5, medical_note=MEDICAL)
    n.file_other = service.open_file(SYSTEM, net.SB1, n.pupil_other, medical_note=MEDICAL)
    parent = Person(last_name="Ученикова", first_name="Гульнара", country="KZ",
                    national_id=factories.make_iin(dt.date(1985, 2, 2), "F", 77))
    n.link = service.add_parent(SYSTEM, n.file, parent, "mother", workplace="Clinic 3",
                                electronic_consent=False, consent_date=dt.date(2026, 9, 2),
                                consent_how="written application")
    factories.make_user(n.link.parent, "parent_a")
    db.session.commit()
    assert Role.parent in {m.role for m in n.link.parent.memberships}
    return n
