"""Small factory functions and the test network.

Network::

    ministry (M)
      region (R)
        district A (DA) - school A1 (SA1), school A2 (SA2)
        district B (DB) - school B1 (SB1)

Users (password PASSWORD): superadmin (FAB Admin), ministry, dist_a_admin, dist_a_head,
dist_b_admin, school_a_admin, school_a2_admin, school_b_admin, director_a, teacher_a,
student_a.
"""
from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from flask import current_app
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models.org import OrgKind
from app.models.people import Person, Role, Sex
from app.services import orgs as org_service
from app.services import people as people_service
from app.services.national_id import make_iin

PASSWORD = "secret-pass-1"
_serial = itertools.count(1)


def org(kind: OrgKind, name: str, parent=None, **kw):
    return org_service.create_organization(kind=kind, short_name=name, full_name=name,
                                           parent=parent, **kw)


def person(last: str = "Ахметов", first: str = "Ерлан", born: dt.date = dt.date(1985, 3, 14),
           sex: Sex = Sex.M, **kw) -> Person:
    iin = kw.pop("national_id", None) or make_iin(born, sex.value, next(_serial) * 3)
    return Person(last_name=last, first_name=first, birth_date=born, sex=sex, country="KZ",
                  national_id=iin, **kw)


def member(organization, role: Role, login: str | None = None, **kw):
    p = kw.pop("person", None) or person(**{k: kw.pop(k) for k in list(kw)
                                            if k in ("last", "first", "born", "sex")})
    m = people_service.add_participant(organization, role, person=p, **kw)
    if login:
        make_user(p, login)
    return m


def make_user(p: Person, login: str) -> None:
    people_service.register(p)
    user = current_app.appbuilder.sm.find_user(username=p.national_id)
    user.username = login
    user.password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    p.must_change_password = False
    p.temp_password = None


def build_network() -> SimpleNamespace:
    n = SimpleNamespace()
    n.M = org(OrgKind.ministry, "Ministry")
    n.R = org(OrgKind.region, "Region", n.M)
    n.DA = org(OrgKind.district, "District A", n.R, territory="Area A")
    n.DB = org(OrgKind.district, "District B", n.R, territory="Area B")
    n.SA1 = org(OrgKind.school, "School A1", n.DA, territory="Town A")
    n.SA2 = org(OrgKind.school, "School A2", n.DA, territory="Village A")
    n.SB1 = org(OrgKind.school, "School B1", n.DB, territory="Town B")
    db.session.flush()
    n.ministry = member(n.M, Role.ministry_admin, "ministry", last="Министров")
    n.dist_a_admin = member(n.DA, Role.district_admin, "dist_a_admin", last="Районов")
    n.dist_a_head = member(n.DA, Role.district_head, "dist_a_head", last="Главный")
    n.dist_b_admin = member(n.DB, Role.district_admin, "dist_b_admin", last="Бэшкин")
    n.school_a_admin = member(n.SA1, Role.school_admin, "school_a_admin", last="Админов")
    n.school_a2_admin = member(n.SA2, Role.school_admin, "school_a2_admin", last="Второй")
    n.school_b_admin = member(n.SB1, Role.school_admin, "school_b_admin", last="Бэшный")
    n.director_a = member(n.SA1, Role.director, "director_a", last="Директоров")
    n.teacher_a = member(n.SA1, Role.teacher, "teacher_a", last="Учителев")
    n.teacher_a_plain = member(n.SA1, Role.teacher, None, last="Незарегов")
    n.teacher_b = member(n.SB1, Role.teacher, None, last="Бэучитель")
    sm = current_app.appbuilder.sm
    sm.add_user("superadmin", "Super", "Admin", "superadmin@example.org",
                [sm.find_role(sm.auth_role_admin)],
                PASSWORD)
    db.session.commit()
    return n


def records_network(n: SimpleNamespace) -> SimpleNamespace:
    """Staff files and pupils on top of ``build_network`` (records office tests).

    Staff files: school_a_admin, director_a, teacher_a, teacher_a_plain (SA1), teacher_b (SB1).
    Pupils: pupil_a (SA1), pupil_b (SB1)."""
    from app.services import staff as staff_service

    def open_file(m, **kw):
        return staff_service.open_staff_file(m.organization, m.person, **kw)

    n.file_admin_a = open_file(n.school_a_admin, position="Coordinator")
    n.file_director_a = open_file(n.director_a, position="Director", unit="Administration",
                                  hired_on=dt.date(2010, 9, 1))
    n.file_teacher_a = open_file(n.teacher_a, position="Teacher of mathematics",
                                 unit="Mathematics", hired_on=dt.date(2015, 9, 1),
                                 contract_number="15-k", contract_date=dt.date(2015, 8, 28),
                                 seniority_years=5, seniority_months=3,
                                 seniority_as_of=dt.date(2015, 9, 1))
    n.file_teacher_a_plain = open_file(n.teacher_a_plain, position="Teacher of history",
                                       unit="History", hired_on=dt.date(2018, 9, 1))
    n.file_teacher_b = open_file(n.teacher_b, position="Teacher", unit="Languages")
    n.pupil_a = member(n.SA1, Role.student, None, last="Ученикова", first="Аружан",
                       born=dt.date(2008, 5, 5), sex=Sex.F)
    n.pupil_b = member(n.SB1, Role.student, None, last="Бэученик", first="Тимур",
                       born=dt.date(2008, 6, 6))
    db.session.commit()
    return n
