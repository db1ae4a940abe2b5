"""FAB filters of the journal's REST resources, wrapping the rules of
:mod:`app.security.journal_scope` (no rule of their own)."""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, or_, select

from app.models.journal import JournalCell, Mark
from app.models.study import ClassEnrollment
from app.models.timetable import Lesson
from app.security.journal_scope import lesson_read_clause, readable_student_ids
from app.security.scopes import current_scope


def readable_lesson_ids():
    return select(Lesson.id).where(lesson_read_clause(current_scope()))


def _own_clause(student_column):
    own = readable_student_ids(current_scope())
    return student_column.in_(sorted(own)) if own else false()


class JournalLessonReadFilter(BaseFilter):
    """Lessons whose journal the user reads, and the lessons of the classes of their own
    children / themselves."""

    name = "Journal scope"
    arg_name = "journal"

    def apply(self, query, value):
        own = readable_student_ids(current_scope())
        parts = [lesson_read_clause(current_scope())]
        if own:
            parts.append(Lesson.class_id.in_(select(ClassEnrollment.class_id).where(
                ClassEnrollment.person_id.in_(sorted(own)))))
        return query.filter(or_(*parts))


class JournalMarkReadFilter(BaseFilter):
    name = "Journal scope"
    arg_name = "journal"

    def apply(self, query, value):
        return query.filter(or_(Mark.lesson_id.in_(readable_lesson_ids()),
                                _own_clause(Mark.student_id)))


class JournalCellReadFilter(BaseFilter):
    name = "Journal scope"
    arg_name = "journal"

    def apply(self, query, value):
        return query.filter(or_(JournalCell.lesson_id.in_(readable_lesson_ids()),
                                _own_clause(JournalCell.student_id)))
