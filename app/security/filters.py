"""Flask-AppBuilder filters wrapping the scope rules of ``app.security.scopes``.

Use them in ``base_filters`` (list, show, edit, delete and REST), in
``*_form_query_rel_fields`` and ``search_form_query_rel_fields`` (selects), and as
``write_filters`` of ``ScopedModelView`` / ``ScopedModelRestApi`` (edit, delete).
The column name given with the filter is the organisation id (or person id) column.
"""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter

from app.security.scopes import (
    current_scope,
    org_clause,
    own_or_staff_clause,
    person_clause,
    plan_clause,
)


class _ScopeFilter(BaseFilter):
    name = "Scope"
    arg_name = "scope"
    write = False

    def _column(self):
        return getattr(self.model, self.column_name)


class OrgReadFilter(_ScopeFilter):
    """Rows whose organisation the user may read."""

    def apply(self, query, value):
        return query.filter(org_clause(self._column(), current_scope(), write=False))


class OrgWriteFilter(_ScopeFilter):
    """Rows whose organisation the user may change."""

    write = True

    def apply(self, query, value):
        return query.filter(org_clause(self._column(), current_scope(), write=True))


class PersonReadFilter(_ScopeFilter):
    """Persons with a membership (active or archived) in a readable organisation."""

    def apply(self, query, value):
        return query.filter(person_clause(self._column(), current_scope(), write=False))


class PersonWriteFilter(_ScopeFilter):
    """Persons with a membership in an organisation the user may change."""

    write = True

    def apply(self, query, value):
        return query.filter(person_clause(self._column(), current_scope(), write=True))


class OrgPlanFilter(_ScopeFilter):
    """Rows of schools whose study process the user plans (write scope or deputy director)."""

    write = True

    def apply(self, query, value):
        return query.filter(plan_clause(self._column(), current_scope()))


class StudyReadFilter(_ScopeFilter):
    """Study rows the user reads: all rows of schools read as staff (administration,
    district), and a teacher's own rows. ``value``: the person columns that make a row
    "own" (e.g. ``("teacher_id", "substitute_teacher_id")``), or None (staff only)."""

    def apply(self, query, value):
        names = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        cols = [getattr(self.model, n) for n in names]
        return query.filter(own_or_staff_clause(self._column(), cols, current_scope()))


class PlanTopicReadFilter(_ScopeFilter):
    """Topics of the calendar-thematic plans the user reads (staff, or the plan's teacher)."""

    def apply(self, query, value):
        from sqlalchemy import select

        from app.models.timetable import LessonPlan

        plans = select(LessonPlan.id).where(own_or_staff_clause(
            LessonPlan.organization_id, [LessonPlan.teacher_id], current_scope()))
        return query.filter(self.model.plan_id.in_(plans))
