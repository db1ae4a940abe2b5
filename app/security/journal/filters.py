"""FAB filters over the journal's row rules (app/security/journal/scope.py), for
``base_filters`` / ``write_filters`` of the journal's views and REST resources (no rule of
their own)."""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, or_, select

from app.models.journal import JournalCell, Mark
from app.models.study import ClassEnrollment
from app.models.timetable import Lesson
from app.security.journal import scope as journal_scope
from app.security.journal.scope import lesson_read_clause, readable_student_ids
from app.security.scopes import current_scope, org_clause, staff_read_clause


class _JournalFilter(BaseFilter):
    name = "Scope"
    arg_name = "scope"


class FinalGradeReadFilter(_JournalFilter):
    """Final grades the user reads (section readers; pupils and parents their own)."""

    def apply(self, query, value):
        return query.filter(journal_scope.final_read_clause(current_scope()))


class GrantReadFilter(_JournalFilter):
    """Access grants: the school's staff and district staff; teachers their own."""

    def apply(self, query, value):
        return query.filter(journal_scope.grant_read_clause(current_scope()))


class GrantAdminFilter(_JournalFilter):
    """Access grants the user may revoke: those of schools where they grant access."""

    def apply(self, query, value):
        return query.filter(journal_scope.grant_admin_clause(
            getattr(self.model, self.column_name), current_scope()))


class SettingsReadFilter(_JournalFilter):
    """Journal settings: read by the school's staff and district staff."""

    def apply(self, query, value):
        return query.filter(staff_read_clause(getattr(self.model, self.column_name),
                                              current_scope()))


class SettingsWriteFilter(_JournalFilter):
    """Journal settings: changed by the school's writers (coordinator-administrator)."""

    def apply(self, query, value):
        return query.filter(org_clause(getattr(self.model, self.column_name), current_scope(),
                                       write=True))


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
