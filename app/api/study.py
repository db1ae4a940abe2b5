"""REST resources of the study process, with the pages' scopes: staff and district staff
read, teachers read their own rows, the planning scope (coordinator-administrator, deputy
director) writes. Relations are written by id using the relation name."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedModelRestApi
from app.models.study import (
    AcademicYear,
    ClassEnrollment,
    CurriculumItem,
    Room,
    SchoolClass,
    StudyPeriod,
    Subject,
)
from app.models.timetable import Lesson, LessonPlan, PlanTopic, TimetableEntry
from app.security.filters import OrgPlanFilter, PlanTopicReadFilter, StudyReadFilter
from app.security.scopes import current_scope
from app.services.errors import DomainError
from app.services.study import curriculum as curriculum_service
from app.services.study import plans as plan_service
from app.services.study import setup as study_service
from app.services.study import timetable as tt_service


class StudyRestApi(ScopedModelRestApi):
    """A study resource: ``write_rule`` is the service's ``check_<row>(scope, item)`` (the
    same as the page's), ``delete_rule`` the service's rule for deleting a row."""

    own_columns: tuple | None = None
    #: the service's rule for deleting a row, ``rule(scope, item)``
    delete_rule = study_service.check_row_delete

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.base_filters = [["organization_id", StudyReadFilter, cls.own_columns]]
        cls.write_filters = [["organization_id", OrgPlanFilter, None]]

    def pre_delete(self, item) -> None:
        type(self).delete_rule(current_scope(), item)


class AcademicYearApi(StudyRestApi):
    resource_name = "academic_year"
    datamodel = SQLAInterface(AcademicYear)
    related_lookups = {"organization": "plannable_organization"}
    list_columns = show_columns = ["id", "organization_id", "name", "starts_on", "ends_on"]
    add_columns = ["organization", "name", "starts_on", "ends_on"]
    edit_columns = ["name", "starts_on", "ends_on"]
    search_columns = ["organization_id", "name"]
    write_rule = study_service.check_year
    delete_rule = study_service.check_year_delete


class StudyPeriodApi(StudyRestApi):
    resource_name = "study_period"
    datamodel = SQLAInterface(StudyPeriod)
    list_columns = show_columns = ["id", "organization_id", "year_id", "kind", "name",
                                   "starts_on", "ends_on"]
    add_columns = edit_columns = ["year", "kind", "name", "starts_on", "ends_on"]
    search_columns = ["year_id", "organization_id"]
    write_rule = study_service.check_period
    delete_rule = study_service.check_period_delete


class SubjectApi(StudyRestApi):
    resource_name = "subject"
    datamodel = SQLAInterface(Subject)
    related_lookups = {"organization": "plannable_organization"}
    list_columns = show_columns = ["id", "organization_id", "name", "short_name",
                                   "without_attestation", "archived"]
    add_columns = ["organization", "name", "short_name", "without_attestation"]
    edit_columns = ["name", "short_name", "without_attestation", "archived"]
    search_columns = ["organization_id", "name"]
    write_rule = study_service.check_subject
    exclude_route_methods = {"delete"}


class RoomApi(StudyRestApi):
    resource_name = "room"
    datamodel = SQLAInterface(Room)
    list_columns = show_columns = ["id", "organization_id", "building_id", "number", "name",
                                   "capacity"]
    add_columns = edit_columns = ["building", "number", "name", "capacity"]
    search_columns = ["building_id", "organization_id"]
    write_rule = study_service.check_room


class SchoolClassApi(StudyRestApi):
    resource_name = "school_class"
    datamodel = SQLAInterface(SchoolClass)
    related_lookups = {"class_teacher": "teacher"}
    own_columns = ("class_teacher_id",)
    list_columns = show_columns = ["id", "organization_id", "year_id", "parallel", "letter_ru",
                                   "letter_kk", "letter_en", "language", "profile", "shift",
                                   "home_room_id", "class_teacher_id", "home_schooling"]
    add_columns = edit_columns = ["year", "parallel", "letter_ru", "letter_kk", "letter_en",
                                  "language", "profile", "shift", "home_room", "class_teacher",
                                  "home_schooling"]
    search_columns = ["year_id", "parallel", "organization_id"]
    write_rule = study_service.check_class
    exclude_route_methods = {"delete"}


class ClassEnrollmentApi(StudyRestApi):
    resource_name = "class_enrollment"
    datamodel = SQLAInterface(ClassEnrollment)
    related_lookups = {"school_class": "contingent_class", "person": "pupil"}
    list_columns = show_columns = ["id", "organization_id", "class_id", "person_id",
                                   "from_date", "to_date"]
    add_columns = edit_columns = ["school_class", "person", "from_date", "to_date"]
    search_columns = ["class_id", "person_id"]
    write_rule = study_service.check_enrollment
    exclude_route_methods = {"delete"}


class CurriculumItemApi(StudyRestApi):
    resource_name = "curriculum_item"
    datamodel = SQLAInterface(CurriculumItem)
    related_lookups = {"school_class": "contingent_class", "teacher": "teacher"}
    own_columns = ("teacher_id",)
    list_columns = show_columns = ["id", "organization_id", "class_id", "period_id",
                                   "subject_id", "weekly_hours", "variative", "lesson_minutes",
                                   "split", "teacher_id"]
    add_columns = edit_columns = ["school_class", "period", "subject", "weekly_hours",
                                  "variative", "lesson_minutes", "split", "teacher"]
    search_columns = ["class_id", "period_id", "subject_id", "teacher_id"]
    write_rule = curriculum_service.check_curriculum_item


class TimetableEntryApi(StudyRestApi):
    resource_name = "timetable_entry"
    datamodel = SQLAInterface(TimetableEntry)
    related_lookups = {"school_class": "contingent_class", "teacher": "teacher"}
    own_columns = ("teacher_id",)
    list_columns = show_columns = ["id", "organization_id", "period_id", "weekday", "slot_id",
                                   "class_id", "subgroup_id", "subject_id", "teacher_id",
                                   "room_id"]
    add_columns = edit_columns = ["period", "weekday", "slot", "school_class", "subgroup",
                                  "subject", "teacher", "room"]
    search_columns = ["period_id", "class_id", "teacher_id", "weekday"]
    write_rule = tt_service.check_entry


class LessonApi(StudyRestApi):
    """Dated lessons: read; changed only by ``POST /<pk>/substitute`` and ``/<pk>/cancel``."""

    resource_name = "lesson"
    datamodel = SQLAInterface(Lesson)
    own_columns = ("teacher_id", "substitute_teacher_id")
    list_columns = show_columns = ["id", "organization_id", "period_id", "date", "number",
                                   "starts_at", "ends_at", "class_id", "subgroup_id",
                                   "subject_id", "teacher_id", "room_id", "status",
                                   "substitute_teacher_id", "reason", "topic"]
    search_columns = ["period_id", "class_id", "subject_id", "teacher_id", "date", "status"]
    order_columns = ["date", "number", "id"]
    include_route_methods = {"get", "get_list", "info", "substitute", "cancel"}
    method_permission_name = {"substitute": "post", "cancel": "post"}

    def _change(self, pk, fn):
        lesson = self.datamodel.get(pk, self._base_filters)
        if lesson is None:
            return self.response_404()
        if self.datamodel.get(pk, self._write_filter_set()) is None:
            return self.response_403()
        body = request.get_json(silent=True) or {}
        try:
            fn(current_scope(), lesson, body)
        except DomainError as err:
            return self._domain_error(err)
        return self.response(200, id=lesson.id, status=lesson.status.value)

    @expose("/<int:pk>/substitute", methods=["POST"])
    @protect()
    @safe
    def substitute(self, pk):
        """Record a substitution: ``{"teacher_id": 5, "reason": "..."}``.
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [teacher_id]
                  properties:
                    teacher_id: {type: integer, description: the substitute teacher (person)}
                    reason: {type: string, nullable: true}
          responses:
            200:
              description: saved
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      status: {type: string}
            403: {description: a lesson the user reads but may not change}
            404: {description: "no such lesson, or not one the user reads"}
            422: {description: refused by a rule}
        """
        return self._change(pk, lambda scope, lsn, b: tt_service.substitute(
            scope, lsn, b.get("teacher_id"), b.get("reason")))

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel(self, pk):
        """Cancel a lesson: ``{"reason": "..."}``.
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    reason: {type: string, nullable: true}
          responses:
            200:
              description: saved
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      status: {type: string}
            403: {description: a lesson the user reads but may not change}
            404: {description: "no such lesson, or not one the user reads"}
            422: {description: refused by a rule}
        """
        return self._change(pk, lambda scope, lsn, b: tt_service.cancel(
            scope, lsn, b.get("reason")))


class LessonPlanApi(StudyRestApi):
    resource_name = "lesson_plan"
    datamodel = SQLAInterface(LessonPlan)
    related_lookups = {"school_class": "contingent_class", "teacher": "teacher"}
    own_columns = ("teacher_id",)
    list_columns = show_columns = ["id", "organization_id", "name", "period_id", "subject_id",
                                   "parallel", "class_id", "teacher_id"]
    add_columns = edit_columns = ["name", "period", "subject", "parallel", "school_class",
                                  "teacher"]
    search_columns = ["period_id", "subject_id", "class_id", "teacher_id"]
    write_rule = plan_service.check_plan


class PlanTopicApi(StudyRestApi):
    resource_name = "plan_topic"
    datamodel = SQLAInterface(PlanTopic)
    list_columns = show_columns = ["id", "plan_id", "position", "title", "hours", "notes"]
    add_columns = edit_columns = ["plan", "position", "title", "hours", "notes"]
    search_columns = ["plan_id"]
    write_rule = plan_service.check_topic


PlanTopicApi.base_filters = [["organization_id", PlanTopicReadFilter, None]]

STUDY_APIS = (AcademicYearApi, StudyPeriodApi, SubjectApi, RoomApi, SchoolClassApi,
              ClassEnrollmentApi, CurriculumItemApi, TimetableEntryApi, LessonApi,
              LessonPlanApi, PlanTopicApi)
