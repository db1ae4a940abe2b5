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
import io
import itertools
from types import SimpleNamespace

from flask import current_app
from openpyxl import Workbook
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models.org import OrgKind
from app.models.people import Person, Role, Sex
from app.security.scopes import system_scope
from app.services import orgs as org_service
from app.services import people as people_service
from app.services.national_id import make_iin

PASSWORD = "secret-pass-1"
_serial = itertools.count(1)
_bulk_days = itertools.count(0)


def _next_serial() -> int:
    """A serial for a test person's IIN: steps of 3 (a serial without a check digit moves to
    the next one) wrapping below 9999, since the database is emptied between tests and the
    session creates more people than one birth date has serials."""
    return next(_serial) % 3300 * 3


def org(kind: OrgKind, name: str, parent=None, **kw):
    kw.setdefault("language", "en")  # tests read English source texts; i18n tests set others
    return org_service.create_organization(system_scope(), kind=kind, short_name=name,
                                           full_name=name, parent=parent, **kw)


def person(last: str = "Ахметов", first: str = "Ерлан", born: dt.date = dt.date(1985, 3, 14),
           sex: Sex = Sex.M, **kw) -> Person:
    iin = kw.pop("national_id", None) or make_iin(born, sex.value, _next_serial())
    return Person(last_name=last, first_name=first, birth_date=born, sex=sex, country="KZ",
                  national_id=iin, **kw)


def member(organization, role: Role, login: str | None = None, **kw):
    p = kw.pop("person", None) or person(**{k: kw.pop(k) for k in list(kw)
                                            if k in ("last", "first", "born", "sex")})
    m = people_service.add_participant(system_scope(), organization, role, person=p, **kw)
    if login:
        make_user(p, login)
    return m


def make_user(p: Person, login: str) -> None:
    people_service.register(system_scope(), p)
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


def bulk_schools(parent, n: int, prefix: str = "Bulk school") -> list:
    """``n`` schools below ``parent`` (query-count and speed tests)."""
    out = [org(OrgKind.school, f"{prefix} {i:03d}", parent, territory=f"Town {i % 7}")
           for i in range(n)]
    db.session.flush()
    return out


def bulk_members(organization, n: int, role: Role = Role.teacher, registered_every: int = 3,
                 archived_every: int = 4) -> list:
    """``n`` new persons with a membership in ``organization``; every ``registered_every``-th
    is a user, every ``archived_every``-th membership is in the archive."""
    out = []
    for i in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=next(_bulk_days))
        p = person(last=f"Массов{i:03d}", first="Тест", born=born,
                   national_id=make_iin(born, "M", 17))
        m = people_service.add_participant(system_scope(), organization, role, person=p)
        if registered_every and i % registered_every == 0:
            people_service.register(system_scope(), p)
        if archived_every and i % archived_every == 0:
            people_service.end_membership(system_scope(), m)
        out.append(m)
    db.session.flush()
    return out
# -- study process (issue 3) ---------------------------------------------------------------

def study_school(n: SimpleNamespace, school=None, prefix: str = "") -> SimpleNamespace:
    """A year 2026-2027 with four quarters, subjects, a building with rooms, a bell schedule,
    classes 5 А and 5 Б, and the teachers of ``build_network`` (plus one more) for ``school``
    (School A1 by default). Also a deputy director ``deputy_a`` in School A1."""
    from app.models.study import (
        AcademicYear,
        Building,
        PeriodKind,
        Room,
        SchoolClass,
        StudyPeriod,
        StudySettings,
        Subject,
    )
    from app.models.timetable import BellSchedule, BellSlot

    school = school or n.SA1
    s = SimpleNamespace(school=school)
    s.settings = StudySettings(organization_id=school.id, lesson_days=5, lesson_minutes=45)
    s.year = AcademicYear(organization_id=school.id, name="2026-2027",
                          starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 5, 31))
    db.session.add_all([s.settings, s.year])
    db.session.flush()
    bounds = [(dt.date(2026, 9, 1), dt.date(2026, 10, 30)),
              (dt.date(2026, 11, 9), dt.date(2026, 12, 29)),
              (dt.date(2027, 1, 12), dt.date(2027, 3, 19)),
              (dt.date(2027, 3, 30), dt.date(2027, 5, 25))]
    s.periods = [StudyPeriod(organization_id=school.id, year_id=s.year.id,
                             kind=PeriodKind.quarter, name=f"{i} четверть", starts_on=a,
                             ends_on=b) for i, (a, b) in enumerate(bounds, 1)]
    s.q1 = s.periods[0]
    s.math = Subject(organization_id=school.id, name="Математика")
    s.lang = Subject(organization_id=school.id, name="Казахский язык")
    s.eng = Subject(organization_id=school.id, name="Английский язык")
    s.building = Building(organization_id=school.id, name="Main")
    db.session.add_all(s.periods + [s.math, s.lang, s.eng, s.building])
    db.session.flush()
    s.room1 = Room(organization_id=school.id, building_id=s.building.id, number="101")
    s.room2 = Room(organization_id=school.id, building_id=s.building.id, number="102")
    s.bells = BellSchedule(organization_id=school.id, name="Shift 1", shift=1)
    db.session.add_all([s.room1, s.room2, s.bells])
    db.session.flush()
    s.slots = [BellSlot(organization_id=school.id, schedule_id=s.bells.id, number=i,
                        starts_at=dt.time(8 + i - 1, 0), ends_at=dt.time(8 + i - 1, 45))
               for i in range(1, 7)]
    db.session.add_all(s.slots)
    if school is n.SA1:
        s.t1 = n.teacher_a.person
        s.t2 = n.teacher_a_plain.person
        s.t3 = member(school, Role.class_teacher, None, last="Третьев").person
        n.deputy_a = member(school, Role.deputy_director, "deputy_a", last="Завучев")
    else:
        s.t1 = member(school, Role.teacher, None, last=prefix + "Один").person
        s.t2 = member(school, Role.teacher, None, last=prefix + "Два").person
        s.t3 = member(school, Role.class_teacher, None, last=prefix + "Три").person
    s.c5a = SchoolClass(organization_id=school.id, year_id=s.year.id, parallel=5,
                        letter_ru="А", letter_kk="А", letter_en="A", shift=1,
                        class_teacher_id=s.t3.id)
    s.c5b = SchoolClass(organization_id=school.id, year_id=s.year.id, parallel=5,
                        letter_ru="Б", letter_kk="Ә", letter_en="B", shift=1)
    db.session.add_all([s.c5a, s.c5b])
    db.session.commit()
    return s


def student(school, login: str | None = None, **kw):
    return member(school, Role.student, login, born=dt.date(2014, 5, 5), **kw).person

def journal_school(n: SimpleNamespace) -> SimpleNamespace:
    """``study_school`` of School A1 plus what the journal needs (issue 4):

    - pupils ``s.pupils`` (5) enrolled in 5 А from 1 September; the first one, ``s.pupil``,
      has the login ``pupil_a``; ``s.parent`` (login ``parent_a``) is the parent of the first
      two pupils (ParentLink, electronic consent given); ``s.outsider`` is a pupil of 5 Б;
    - ``s.lessons``: 10 mathematics lessons of 5 А in the first quarter (Mondays and
      Wednesdays from 2 September 2026, lesson 1), taught by ``teacher_a`` (``s.t1``);
      ``s.lang_lessons``: 4 Kazakh language lessons of 5 А taught by ``teacher_a_plain``;
    - ``s.t3`` is the class teacher of 5 А, with the login ``class_teacher_a``.
    Commits."""
    from app.models.people import ParentLink
    from app.models.study import ClassEnrollment
    from app.models.timetable import Lesson

    s = study_school(n)
    make_user(s.t3, "class_teacher_a")
    s.pupils = [student(n.SA1, "pupil_a" if i == 0 else None, last=f"Pupil{i}",
                        first=f"P{i}") for i in range(5)]
    s.pupil = s.pupils[0]
    s.outsider = student(n.SA1, None, last="Outsider", first="O")
    db.session.flush()
    for p in s.pupils:
        db.session.add(ClassEnrollment(organization_id=n.SA1.id, class_id=s.c5a.id,
                                       person_id=p.id, from_date=dt.date(2026, 9, 1)))
    db.session.add(ClassEnrollment(organization_id=n.SA1.id, class_id=s.c5b.id,
                                   person_id=s.outsider.id, from_date=dt.date(2026, 9, 1)))
    s.parent = member(n.SA1, Role.parent, "parent_a", last="Parentova", first="Mama").person
    db.session.flush()
    for child in s.pupils[:2]:
        db.session.add(ParentLink(parent_id=s.parent.id, student_id=child.id,
                                  relation="mother", electronic_consent=True))
    days = []
    d = dt.date(2026, 9, 2)
    while len(days) < 10:
        if d.weekday() in (0, 2):
            days.append(d)
        d += dt.timedelta(days=1)

    def lesson(day, subject, teacher, number):
        return Lesson(organization_id=n.SA1.id, period_id=s.q1.id, date=day, number=number,
                      starts_at=dt.time(8 + number - 1, 0), ends_at=dt.time(8 + number - 1, 45),
                      class_id=s.c5a.id, subject_id=subject.id, teacher_id=teacher.id)

    s.lessons = [lesson(d, s.math, s.t1, 1) for d in days]
    s.lang_lessons = [lesson(d, s.lang, s.t2, 2) for d in days[:4]]
    db.session.add_all(s.lessons + s.lang_lessons)
    db.session.commit()
    return s

def records_network(n: SimpleNamespace) -> SimpleNamespace:
    """Staff files and pupils on top of ``build_network`` (records office tests).

    Staff files: school_a_admin, director_a, teacher_a, teacher_a_plain (SA1), teacher_b (SB1).
    Pupils: pupil_a (SA1), pupil_b (SB1)."""
    from app.security.scopes import system_scope
    from app.services.records import staff as staff_service

    def open_file(m, **kw):
        return staff_service.open_staff_file(system_scope(), m.organization, m.person, **kw)

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


def xlsx(*rows) -> bytes:
    """An XLSX workbook whose first sheet holds ``rows`` (the first one: the headers)."""
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
