"""The "journal change history" report (issue 4): :class:`JournalChange` rows filtered by
class, subject, author (teacher), period and date range, scoped by
``security.journal.scope.section_read_clause`` (a teacher sees the sections they teach, a class
teacher their class, the school's administration and district staff all of the school).

A page is two queries (the count and the rows), the XLSX export one streamed query.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.journal import CHANGE_KIND_LABELS, AccessGrant, ChangeKind, JournalChange
from app.models.people import Person
from app.models.study import SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson
from app.security.journal.scope import section_read_clause
from app.security.scopes import UserScope, current_scope
from app.services import xlsx

PAGE_SIZE = 50
#: the export's row limit (a year of a large school fits)
XLSX_LIMIT = 200_000


@dataclass
class HistoryFilter:
    class_id: int | None = None
    subject_id: int | None = None
    author_id: int | None = None
    period_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_args(cls, args) -> HistoryFilter:
        """From request arguments; an empty or malformed value is no filter."""
        def num(name):
            try:
                return int(args.get(name) or 0) or None
            except ValueError:
                return None

        def day(name):
            try:
                return dt.date.fromisoformat(args.get(name)) if args.get(name) else None
            except ValueError:
                return None

        return cls(num("class_id"), num("subject_id"), num("author_id"), num("period_id"),
                   day("date_from"), day("date_to"))

    def as_args(self) -> dict:
        out = {}
        for k in ("class_id", "subject_id", "author_id", "period_id"):
            if getattr(self, k):
                out[k] = getattr(self, k)
        for k in ("date_from", "date_to"):
            if getattr(self, k):
                out[k] = getattr(self, k).isoformat()
        return out


@dataclass
class HistoryRow:
    at: dt.datetime
    author: str
    student: str
    lesson_date: dt.date | None
    school_class: str
    subject: str
    period: str | None
    kind: str
    kind_label: str
    old_value: str | None
    new_value: str | None
    reason: str | None
    grant_id: int | None
    grant_until: dt.date | None


def _name(last, first, middle) -> str:
    return " ".join(p for p in (last, first, middle) if p)


def _conditions(f: HistoryFilter, scope: UserScope) -> list:
    conds = [section_read_clause(JournalChange.class_id, JournalChange.subject_id,
                                 JournalChange.organization_id, scope)]
    if f.class_id:
        conds.append(JournalChange.class_id == f.class_id)
    if f.subject_id:
        conds.append(JournalChange.subject_id == f.subject_id)
    if f.author_id:
        conds.append(JournalChange.author_id == f.author_id)
    if f.period_id:
        conds.append(JournalChange.period_id == f.period_id)
    if f.date_from:
        conds.append(JournalChange.at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        conds.append(JournalChange.at < dt.datetime.combine(
            f.date_to + dt.timedelta(days=1), dt.time.min))
    return conds


def _rows_query(conds):
    author, student = aliased(Person), aliased(Person)
    return (
        select(JournalChange.at, author.last_name, author.first_name, author.middle_name,
               student.last_name, student.first_name, student.middle_name, Lesson.date,
               SchoolClass.parallel, SchoolClass.letter_ru, SchoolClass.letter_kk,
               SchoolClass.letter_en, Subject.name, StudyPeriod.name, JournalChange.kind,
               JournalChange.old_value, JournalChange.new_value, JournalChange.reason,
               JournalChange.grant_id, AccessGrant.until)
        .select_from(JournalChange)
        .join(student, student.id == JournalChange.student_id)
        .join(SchoolClass, SchoolClass.id == JournalChange.class_id)
        .join(Subject, Subject.id == JournalChange.subject_id)
        .outerjoin(author, author.id == JournalChange.author_id)
        .outerjoin(Lesson, Lesson.id == JournalChange.lesson_id)
        .outerjoin(StudyPeriod, StudyPeriod.id == JournalChange.period_id)
        .outerjoin(AccessGrant, AccessGrant.id == JournalChange.grant_id)
        .where(*conds)
        .order_by(JournalChange.at.desc(), JournalChange.id.desc()))


def _class_name(parallel, ru, kk, en) -> str:
    from app.i18n import current_locale

    letter = {"kk": kk, "en": en}.get(current_locale()) or ru
    return f"{parallel} {letter}"


def _row(r) -> HistoryRow:
    (at, al, af, am, sl, sf, sm, lesson_date, parallel, ru, kk, en, subject, period, kind,
     old, new, reason, grant_id, until) = r
    kind = ChangeKind(kind)
    return HistoryRow(at=at, author=_name(al, af, am), student=_name(sl, sf, sm),
                      lesson_date=lesson_date, school_class=_class_name(parallel, ru, kk, en),
                      subject=subject, period=period, kind=kind.value,
                      kind_label=str(CHANGE_KIND_LABELS[kind]), old_value=old, new_value=new,
                      reason=reason, grant_id=grant_id, grant_until=until)


def history_page(f: HistoryFilter, page: int = 1, page_size: int = PAGE_SIZE,
                 scope: UserScope | None = None) -> tuple[list[HistoryRow], int]:
    """One page of the report and the total number of rows (two queries)."""
    scope = scope or current_scope()
    conds = _conditions(f, scope)
    total = db.session.scalar(select(func.count(JournalChange.id)).where(*conds)) or 0
    rows = db.session.execute(
        _rows_query(conds).limit(page_size).offset(max(page - 1, 0) * page_size)).all()
    return [_row(r) for r in rows], total


def history_xlsx(f: HistoryFilter, scope: UserScope | None = None) -> bytes:
    """The whole filtered report as XLSX (one streamed query, openpyxl write-only)."""
    scope = scope or current_scope()
    result = db.session.execute(
        _rows_query(_conditions(f, scope)).limit(XLSX_LIMIT)
        .execution_options(yield_per=2000))
    header = [gettext("When"), gettext("Who"), gettext("Pupil"), gettext("Lesson date"),
              gettext("Class"), gettext("Subject"), gettext("Period"), gettext("Change"),
              gettext("Old value"), gettext("New value"), gettext("Reason"),
              gettext("Access grant")]

    def rows():
        for r in result:
            h = _row(r)
            yield [h.at.strftime("%Y-%m-%d %H:%M"), h.author, h.student,
                   h.lesson_date.isoformat() if h.lesson_date else None, h.school_class,
                   h.subject, h.period, h.kind_label, h.old_value, h.new_value, h.reason,
                   (gettext("No. %(id)d until %(until)s", id=h.grant_id,
                            until=h.grant_until.isoformat()) if h.grant_id else None)]

    return xlsx.table_xlsx(gettext("Journal change history"), header, rows())


def filter_choices(scope: UserScope | None = None) -> dict:
    """Options of the report's filters: classes, subjects and periods of the schools the
    user reads the journal of, and the authors of changes the user may see (four queries,
    each limited)."""
    from app.security.scopes import org_clause

    scope = scope or current_scope()
    if scope.everything:
        orgs = None
    else:
        orgs = sorted(scope.read_ids | scope.staff_read_ids)
    def in_orgs(col):
        if orgs is None:
            return col.is_not(None)
        if scope.read_subtrees:
            return org_clause(col, scope)
        return col.in_(orgs)

    classes = db.session.execute(
        select(SchoolClass.id, SchoolClass.parallel, SchoolClass.letter_ru,
               SchoolClass.letter_kk, SchoolClass.letter_en)
        .where(in_orgs(SchoolClass.organization_id))
        .order_by(SchoolClass.year_id.desc(), SchoolClass.parallel, SchoolClass.letter_ru)
        .limit(500)).all()
    subjects = db.session.execute(
        select(Subject.id, Subject.name).where(in_orgs(Subject.organization_id))
        .order_by(Subject.name).limit(500)).all()
    periods = db.session.execute(
        select(StudyPeriod.id, StudyPeriod.name).where(in_orgs(StudyPeriod.organization_id))
        .order_by(StudyPeriod.starts_on.desc()).limit(200)).all()
    authors_q = (select(Person.id, Person.last_name, Person.first_name, Person.middle_name)
                 .where(Person.id.in_(
                     select(JournalChange.author_id).where(
                         section_read_clause(JournalChange.class_id, JournalChange.subject_id,
                                             JournalChange.organization_id, scope))
                     .distinct()))
                 .order_by(Person.last_name, Person.first_name).limit(300))
    authors = db.session.execute(authors_q).all()
    return {
        "classes": [(i, _class_name(p, ru, kk, en)) for i, p, ru, kk, en in classes],
        "subjects": list(subjects), "periods": list(periods),
        "authors": [(i, _name(a, b, c)) for i, a, b, c in authors],
    }
