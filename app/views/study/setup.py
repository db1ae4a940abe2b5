"""Study-process set-up pages: settings, years and periods, subjects, buildings and rooms,
classes, enrolments, subgroups and subject links."""
from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.models.org import LANGUAGE_LABELS
from app.models.study import (
    AcademicYear,
    Building,
    ClassEnrollment,
    Room,
    SchoolClass,
    StudyPeriod,
    StudySettings,
    Subgroup,
    SubgroupMember,
    Subject,
    SubjectClass,
    SubjectRoom,
    SubjectTeacher,
)
from app.security.scopes import current_scope
from app.services.study import setup as svc
from app.services.study import timetable as tt_service
from app.views.fields import label_of, language_field
from app.views.study.base import (
    StudyModelView,
    bools,
    org_field,
    period_kind_field,
    person_field,
    plan_rel,
    read_rel,
    shift_field,
    split_field,
)


class StudySettingsView(StudyModelView):
    datamodel = SQLAInterface(StudySettings)
    route_base = "/studysettings"
    list_title = _l("Study settings")
    list_columns = ["organization", "lesson_days", "lesson_minutes"]
    add_columns = ["organization", "lesson_days", "lesson_minutes"]
    edit_columns = ["lesson_days", "lesson_minutes"]
    show_columns = list_columns
    search_columns = ["lesson_days"]
    add_form_extra_fields = {"organization": org_field(StudySettings)}
    write_rule = svc.check_settings


class AcademicYearView(StudyModelView):
    datamodel = SQLAInterface(AcademicYear)
    route_base = "/academicyears"
    list_title = _l("Academic years")
    show_title = _l("Academic year")
    add_title = _l("Add academic year")
    edit_title = _l("Edit academic year")
    list_columns = ["organization", "name", "starts_on", "ends_on"]
    add_columns = ["organization", "name", "starts_on", "ends_on"]
    edit_columns = ["name", "starts_on", "ends_on"]
    show_columns = list_columns
    search_columns = ["name", "starts_on"]
    base_order = ("starts_on", "desc")
    add_form_extra_fields = {"organization": org_field(AcademicYear)}
    write_rule = svc.check_year
    delete_rule = svc.check_year_delete


class StudyPeriodView(StudyModelView):
    datamodel = SQLAInterface(StudyPeriod)
    route_base = "/studyperiods"
    list_title = _l("Study periods")
    show_title = _l("Study period")
    add_title = _l("Add study period")
    edit_title = _l("Edit study period")
    list_columns = ["year", "kind", "name", "starts_on", "ends_on"]
    add_columns = edit_columns = ["year", "kind", "name", "starts_on", "ends_on"]
    show_columns = list_columns
    search_columns = ["year", "kind", "name", "starts_on"]
    base_order = ("starts_on", "asc")
    add_form_extra_fields = edit_form_extra_fields = {"kind": period_kind_field()}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("year")
    search_form_query_rel_fields = read_rel("year")
    write_rule = svc.check_period
    delete_rule = svc.check_period_delete

    @action("generate", _l("Generate lessons"),
            _l("Generate the dated lessons of the selected periods from the weekly "
               "timetable? Lessons already generated are kept."), "fa-calendar")
    def generate(self, items):
        total = tt_service.generate_lessons_of(current_scope(), self.writable_items(items))
        flash(gettext("Lessons generated: %(n)s", n=total), "success")
        return redirect(self.get_redirect())


class SubjectView(StudyModelView):
    datamodel = SQLAInterface(Subject)
    route_base = "/subjects"
    list_title = _l("Subjects")
    show_title = _l("Subject")
    add_title = _l("Add subject")
    edit_title = _l("Edit subject")
    list_columns = ["name", "short_name", "without_attestation", "archived", "organization"]
    add_columns = ["organization", "name", "short_name", "without_attestation"]
    edit_columns = ["name", "short_name", "without_attestation", "archived"]
    show_columns = list_columns
    search_columns = ["name", "without_attestation", "archived"]
    base_order = ("name", "asc")
    add_form_extra_fields = {"organization": org_field(Subject),
                             **bools("without_attestation")}
    edit_form_extra_fields = bools("without_attestation", "archived")
    write_rule = svc.check_subject


class BuildingView(StudyModelView):
    datamodel = SQLAInterface(Building)
    route_base = "/buildings"
    list_title = _l("Buildings")
    show_title = _l("Building")
    list_columns = ["name", "address", "organization"]
    add_columns = ["organization", "name", "address"]
    edit_columns = ["name", "address"]
    show_columns = list_columns
    search_columns = ["name", "address"]
    add_form_extra_fields = {"organization": org_field(Building)}
    write_rule = svc.check_building


class RoomView(StudyModelView):
    datamodel = SQLAInterface(Room)
    route_base = "/rooms"
    list_title = _l("Rooms")
    show_title = _l("Room")
    list_columns = ["building", "number", "name", "capacity"]
    add_columns = edit_columns = ["building", "number", "name", "capacity"]
    show_columns = list_columns
    search_columns = ["building", "number", "name"]
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("building")
    search_form_query_rel_fields = read_rel("building")
    write_rule = svc.check_room


class SchoolClassView(StudyModelView):
    datamodel = SQLAInterface(SchoolClass)
    route_base = "/classes"
    list_title = _l("Classes")
    show_title = _l("Class")
    add_title = _l("Add class")
    edit_title = _l("Edit class")
    own_columns = ("class_teacher_id",)
    list_columns = ["year", "parallel", "letter_ru", "letter_kk", "letter_en", "shift",
                    "class_teacher", "home_room", "language"]
    add_columns = edit_columns = ["year", "parallel", "letter_ru", "letter_kk", "letter_en",
                                  "language", "profile", "shift", "home_room",
                                  "class_teacher", "home_schooling"]
    show_columns = add_columns
    search_columns = ["year", "parallel", "letter_ru", "shift", "profile", "home_schooling"]
    order_columns = ["parallel", "letter_ru", "shift"]
    formatters_columns = {"language": label_of(LANGUAGE_LABELS)}
    base_order = ("parallel", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "class_teacher": person_field(_l("Class teacher"), "teacher", SchoolClass,
                                      "class_teacher_id"),
        "language": language_field(), "shift": shift_field(), **bools("home_schooling")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("year", "home_room")
    search_form_query_rel_fields = read_rel("year")
    write_rule = svc.check_class


class ClassEnrollmentView(StudyModelView):
    datamodel = SQLAInterface(ClassEnrollment)
    route_base = "/enrollments"
    list_title = _l("Pupils in classes")
    show_title = _l("Pupil in a class")
    list_columns = ["school_class", "person", "from_date", "to_date"]
    add_columns = edit_columns = ["school_class", "person", "from_date", "to_date"]
    show_columns = list_columns
    search_columns = ["school_class", "from_date", "to_date"]
    add_form_extra_fields = edit_form_extra_fields = {
        "person": person_field(_l("Pupil"), "pupil", ClassEnrollment, "person_id")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("school_class")
    search_form_query_rel_fields = read_rel("school_class")
    write_rule = svc.check_enrollment


class SubgroupView(StudyModelView):
    datamodel = SQLAInterface(Subgroup)
    route_base = "/subgroups"
    list_title = _l("Groups and subgroups")
    show_title = _l("Subgroup")
    list_columns = ["school_class", "subject", "kind", "name"]
    add_columns = edit_columns = ["school_class", "subject", "kind", "name"]
    show_columns = list_columns
    search_columns = ["school_class", "subject", "kind", "name"]
    add_form_extra_fields = edit_form_extra_fields = {"kind": split_field()}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("school_class", "subject")
    search_form_query_rel_fields = read_rel("school_class", "subject")
    write_rule = svc.check_subgroup


class SubgroupMemberView(StudyModelView):
    datamodel = SQLAInterface(SubgroupMember)
    route_base = "/subgroupmembers"
    list_title = _l("Subgroup members")
    show_title = _l("Subgroup member")
    list_columns = ["subgroup", "person", "from_date", "to_date"]
    add_columns = edit_columns = ["subgroup", "person", "from_date", "to_date"]
    show_columns = list_columns
    search_columns = ["subgroup", "from_date"]
    add_form_extra_fields = edit_form_extra_fields = {
        "person": person_field(_l("Pupil"), "pupil", SubgroupMember, "person_id")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("subgroup")
    search_form_query_rel_fields = read_rel("subgroup")
    write_rule = svc.check_subgroup_member


class SubjectTeacherView(StudyModelView):
    datamodel = SQLAInterface(SubjectTeacher)
    route_base = "/subjectteachers"
    list_title = _l("Subjects and teachers")
    own_columns = ("teacher_id",)
    list_columns = ["subject", "teacher"]
    add_columns = edit_columns = show_columns = ["subject", "teacher"]
    search_columns = ["subject"]
    add_form_extra_fields = edit_form_extra_fields = {
        "teacher": person_field(_l("Teacher"), "teacher", SubjectTeacher, "teacher_id")}
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("subject")
    search_form_query_rel_fields = read_rel("subject")
    write_rule = svc.check_subject_teacher


class SubjectRoomView(StudyModelView):
    datamodel = SQLAInterface(SubjectRoom)
    route_base = "/subjectrooms"
    list_title = _l("Subjects and rooms")
    list_columns = add_columns = edit_columns = show_columns = ["subject", "room"]
    search_columns = ["subject", "room"]
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("subject", "room")
    search_form_query_rel_fields = read_rel("subject", "room")
    write_rule = svc.check_subject_room


class SubjectClassView(StudyModelView):
    datamodel = SQLAInterface(SubjectClass)
    route_base = "/subjectclasses"
    list_title = _l("Subjects and classes")
    list_columns = add_columns = edit_columns = show_columns = ["subject", "school_class"]
    search_columns = ["subject", "school_class"]
    add_form_query_rel_fields = edit_form_query_rel_fields = plan_rel("subject", "school_class")
    search_form_query_rel_fields = read_rel("subject", "school_class")
    write_rule = svc.check_subject_class

