"""Scoped look-ups of the access-grant form: teachers, classes, subjects and periods of the
schools where the user grants access (``security.journal.scope.grant_admin_clause``). Registered in
``app.security.lookups.LOOKUPS`` when the journal's pages are registered."""
from __future__ import annotations

from sqlalchemy import String, cast, func, or_, select

from app.models.people import Membership, Person, Role
from app.models.study import AcademicYear, SchoolClass, StudyPeriod, Subject
from app.security.journal.scope import grant_admin_clause
from app.security.lookups import LOOKUPS, Lookup, person_search
from app.security.scopes import current_scope


def _teachers():
    return Person.id.in_(select(Membership.person_id).where(
        Membership.end_date.is_(None), Membership.role.in_([Role.teacher, Role.class_teacher]),
        grant_admin_clause(Membership.organization_id, current_scope())))


def _class_search(q: str):
    like = f"%{q.lower()}%"
    return or_(cast(SchoolClass.parallel, String).like(like),
               func.lower(SchoolClass.letter_ru).like(like),
               func.lower(SchoolClass.letter_kk).like(like))


def _period_label(p: StudyPeriod) -> str:
    return f"{p.name} ({p.year.name})" if p.year is not None else p.name


JOURNAL_LOOKUPS = {
    "grant_teacher": Lookup(Person, _teachers, person_search,
                            lambda: (Person.last_name, Person.first_name),
                            lambda p: p.full_name),
    "grant_class": Lookup(
        SchoolClass,
        lambda: SchoolClass.year_id.in_(select(AcademicYear.id).where(grant_admin_clause(
            AcademicYear.organization_id, current_scope()))),
        _class_search, lambda: (SchoolClass.parallel, SchoolClass.letter_ru),
        lambda c: f"{c.name()} ({c.year.name})" if c.year is not None else c.name()),
    "grant_subject": Lookup(
        Subject, lambda: grant_admin_clause(Subject.organization_id, current_scope()),
        lambda q: func.lower(Subject.name).like(f"%{q.lower()}%"), lambda: Subject.name,
        lambda s: s.name),
    "grant_period": Lookup(
        StudyPeriod, lambda: grant_admin_clause(StudyPeriod.organization_id, current_scope()),
        lambda q: func.lower(StudyPeriod.name).like(f"%{q.lower()}%"),
        lambda: (StudyPeriod.starts_on.desc(),), _period_label),
}


def register_journal_lookups() -> None:
    LOOKUPS.update(JOURNAL_LOOKUPS)
