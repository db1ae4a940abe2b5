"""Shared pieces of the study-process pages: labels, the base view with the planning scope,
scoped selects."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from app.extensions import db
from app.models.study import PERIOD_KIND_LABELS, SPLIT_LABELS, PeriodKind, SplitKind
from app.models.timetable import LESSON_STATUS_LABELS, WEEKDAY_LABELS
from app.security.filters import OrgPlanFilter, StudyReadFilter
from app.security.scopes import current_scope
from app.services.study import setup as study_setup
from app.views.base import ScopedModelView
from app.views.fields import enum_field, label_of
from app.views.widgets import ScopedAjaxField

LABELS = {
    "organization": _l("Organization"), "name": _l("Name"), "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"), "year": _l("Academic year"), "kind": _l("Kind"),
    "lesson_days": _l("Lesson days per week"), "lesson_minutes": _l("Lesson length, minutes"),
    "short_name": _l("Short name"), "without_attestation": _l("Without attestation"),
    "archived": _l("Archived"), "address": _l("Address"), "building": _l("Building"),
    "number": _l("Number"), "capacity": _l("Capacity"), "parallel": _l("Parallel"),
    "letter_ru": _l("Letter (Russian)"), "letter_kk": _l("Letter (Kazakh)"),
    "letter_en": _l("Letter (English)"), "language": _l("Language of instruction"),
    "profile": _l("Profile"), "shift": _l("Shift"), "home_room": _l("Home room"),
    "class_teacher": _l("Class teacher"), "home_schooling": _l("Pupils taught at home"),
    "school_class": _l("Class"), "person": _l("Pupil"), "from_date": _l("From"),
    "to_date": _l("To"), "subject": _l("Subject"), "subgroup": _l("Subgroup"),
    "teacher": _l("Teacher"), "room": _l("Room"), "period": _l("Period"),
    "weekly_hours": _l("Weekly hours"), "variative": _l("Variative"), "split": _l("Subgroups"),
    "item": _l("Curriculum subject"), "week_start": _l("Week (Monday)"),
    "lessons": _l("Lessons in the week"), "schedule": _l("Bell schedule"),
    "starts_at": _l("Starts at"), "ends_at": _l("Ends at"), "weekday": _l("Weekday"),
    "slot": _l("Lesson (bell)"), "date": _l("Date"), "status": _l("Status"),
    "substitute_teacher": _l("Substitute teacher"), "reason": _l("Reason"),
    "topic": _l("Topic"), "plan": _l("Plan"), "position": _l("No."), "title": _l("Topic"),
    "hours": _l("Hours"), "notes": _l("Notes"), "total_hours": _l("Total hours")}


def plan_rel(*names) -> dict:
    """Selects of small related tables limited to the schools the user plans."""
    return {n: [["organization_id", OrgPlanFilter, None]] for n in names}


def read_rel(*names) -> dict:
    return {n: [["organization_id", StudyReadFilter, None]] for n in names}


def person_field(label, lookup: str, model, attr: str, **kw) -> ScopedAjaxField:
    return ScopedAjaxField(label, lookup=lookup, current_value=lambda pk: getattr(
        db.session.get(model, pk), attr, None), **kw)


def org_field(model) -> ScopedAjaxField:
    return ScopedAjaxField(_l("Organization"), lookup="plannable_organization",
                           current_value=lambda pk: getattr(db.session.get(model, pk),
                                                            "organization_id", None))


def bools(*names) -> dict:
    return {n: BooleanField(LABELS[n], default=False) for n in names}


def shift_field():
    return SelectField(_l("Shift"), choices=[(1, "1"), (2, "2")], coerce=int)


def weekday_field():
    return SelectField(_l("Weekday"), choices=list(WEEKDAY_LABELS.items()), coerce=int)


def split_field():
    return enum_field(_l("Subgroups"), SplitKind, SPLIT_LABELS)


def period_kind_field():
    return enum_field(_l("Kind"), PeriodKind, PERIOD_KIND_LABELS)


FORMATTERS = {
    "split": label_of(SPLIT_LABELS), "kind": label_of({**PERIOD_KIND_LABELS, **SPLIT_LABELS}),
    "weekday": label_of(WEEKDAY_LABELS), "status": label_of(LESSON_STATUS_LABELS)}


class StudyModelView(ScopedModelView):
    """Study rows: read by the school's staff and district staff (teachers read their own
    rows where ``own_columns`` is set), changed by the planning scope (coordinator-
    administrator, deputy director). ``write_rule`` is the service's ``check_<row>(scope,
    item)`` (the planning scope and the business rules; it derives ``organization_id``
    from the parent row); ``delete_rule`` the service's rule for deleting a row."""

    own_columns: tuple | None = None
    #: the service's rule for deleting a row, ``rule(scope, item)``
    delete_rule = study_setup.check_row_delete
    label_columns = LABELS
    formatters_columns = FORMATTERS

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.base_filters = [["organization_id", StudyReadFilter, cls.own_columns]]
        cls.write_filters = [["organization_id", OrgPlanFilter, None]]

    def pre_delete(self, item) -> None:
        type(self).delete_rule(current_scope(), item)
