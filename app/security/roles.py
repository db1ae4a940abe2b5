"""Roles and their permissions, declared in one place; ``flask kundelik roles sync`` applies them.

Row-level scope (which organisations) is in ``app.security.scopes``; this file says
which pages and API calls a role may use at all.
"""
from __future__ import annotations

from app.models.people import Role

READ = {"can_list", "can_show"}
EDIT = READ | {"can_edit"}
CRUD = EDIT | {"can_add", "can_delete"}
API_READ = {"can_get", "can_info"}
API_WRITE = API_READ | {"can_post", "can_put", "can_delete"}
ACTIONS = {"can_close", "can_reopen", "can_register", "can_exclude", "can_restore"}
ALL = "*"

ORG_ADMIN = {
    "OrganizationView": CRUD | {"can_close", "can_reopen"},
    "OrgSettingsView": {"can_mine", "can_settings", "can_logo", "can_upload_logo",
                        "can_send_code", "can_confirm_code", "can_subordinates",
                        "can_change_subordinates", "can_set_types"},
    "PersonView": EDIT | {"can_register"},
    "MembershipView": EDIT | {"can_exclude"},
    "ArchiveView": READ | {"can_restore"},
    "ParticipantView": {"can_add", "can_invitations"},
    "AuditRecordView": READ,
    "LoginEventView": READ,
    "OrganizationApi": API_WRITE,
    "PersonApi": API_READ | {"can_put"},  # no POST (participants) and no DELETE
    "MembershipApi": API_READ | {"can_post", "can_put"},  # no DELETE: exclusion is a PUT
    "LookupApi": {"can_lookup"},
    "OpenApi": {"can_get"},
    "SwaggerView": {"can_show"},
}

ORG_READER = {
    "OrganizationView": READ,
    "OrgSettingsView": {"can_mine", "can_settings", "can_logo", "can_subordinates"},
    "PersonView": READ,
    "MembershipView": READ,
    "ArchiveView": READ,
    "OrganizationApi": API_READ,
    "PersonApi": API_READ,
    "MembershipApi": API_READ,
    "LookupApi": {"can_lookup"},
}

OWN_ORG_ONLY = {
    "OrganizationView": READ,
    "OrgSettingsView": {"can_mine", "can_settings", "can_logo"},
    "OrganizationApi": API_READ,
    "LookupApi": {"can_lookup"},
}

SCHOOL_ADMIN = dict(ORG_ADMIN, OrganizationView=EDIT)

MINISTRY = dict(ORG_ADMIN, OrgTypeView=CRUD)

# -- study process (issue 3): coordinator-administrator and deputy director edit, director
# and district staff read, teachers read their own rows (row filters in scopes.py)
STUDY_VIEWS = ["StudySettingsView", "AcademicYearView", "StudyPeriodView", "SubjectView",
               "BuildingView", "RoomView", "SchoolClassView", "ClassEnrollmentView",
               "SubgroupView", "SubgroupMemberView", "SubjectTeacherView", "SubjectRoomView",
               "SubjectClassView", "CurriculumItemView", "CurriculumSubgroupTeacherView",
               "WeekCorrectionView", "BellScheduleView", "BellSlotView", "TimetableEntryView",
               "LessonPlanView", "PlanTopicView"]
STUDY_APIS = ["AcademicYearApi", "StudyPeriodApi", "SubjectApi", "RoomApi", "SchoolClassApi",
              "ClassEnrollmentApi", "CurriculumItemApi", "TimetableEntryApi", "LessonPlanApi",
              "PlanTopicApi"]
REPORTS = {"can_index", "can_curriculum", "can_graph", "can_load", "can_changes"}
PLAN_TOOLS = {"can_export_topics", "can_import_topics", "can_copy_plan"}

STUDY_EDIT = {
    **{v: CRUD for v in STUDY_VIEWS},
    # FAB names an action's permission after the action itself ("generate"), not "can_..."
    "StudyPeriodView": CRUD | {"generate"},
    "LessonPlanView": CRUD | PLAN_TOOLS,
    "LessonView": READ | {"can_substitute", "can_cancel"},
    "CurriculumCopyView": {"can_copy"},
    "StudyReportView": REPORTS,
    **{a: API_WRITE for a in STUDY_APIS},
    # archived, never deleted: no DELETE route
    **{a: API_READ | {"can_post", "can_put"} for a in
       ("SubjectApi", "SchoolClassApi", "ClassEnrollmentApi")},
    "LessonApi": API_READ | {"can_post"},
}

STUDY_READ = {
    **{v: READ for v in STUDY_VIEWS},
    "LessonPlanView": READ | {"can_export_topics"},
    "LessonView": READ,
    "StudyReportView": REPORTS,
    **{a: API_READ for a in STUDY_APIS + ["LessonApi"]},
}

STUDY_OWN = {
    "TimetableEntryView": READ,
    "LessonView": READ,
    "CurriculumItemView": READ,
    "LessonPlanView": READ | {"can_export_topics"},
    "PlanTopicView": READ,
    "StudyReportView": {"can_index", "can_load", "can_changes"},
    **{a: API_READ for a in ["TimetableEntryApi", "LessonApi", "CurriculumItemApi",
                             "LessonPlanApi", "PlanTopicApi"]},
}

#: role -> {view or API class name -> permission names}; "*" = every permission of FAB's own
#: security views too (user and role management).
ROLE_PERMISSIONS: dict[Role, dict] = {
    Role.ministry_admin: {**MINISTRY, **STUDY_EDIT},
    Role.tech_operator: {**MINISTRY, **STUDY_EDIT},
    Role.district_head: {**ORG_READER, **STUDY_READ},
    Role.district_deputy: {**ORG_READER, **STUDY_READ},
    Role.district_admin: {**ORG_ADMIN, **STUDY_READ},
    Role.district_employee: {**ORG_READER, **STUDY_READ},
    Role.school_admin: {**SCHOOL_ADMIN, **STUDY_EDIT},
    Role.director: {**ORG_READER, **STUDY_READ},
    Role.deputy_director: {**ORG_READER, **STUDY_EDIT},
    Role.class_teacher: {**OWN_ORG_ONLY, **STUDY_OWN},
    Role.teacher: {**OWN_ORG_ONLY, **STUDY_OWN},
    Role.student: OWN_ORG_ONLY,
    Role.parent: OWN_ORG_ONLY,
}

# --- records office (issue 5): staff files, staff reports, blanks, imports ---------------
# FAB 5 names the permission of an @action after the action itself ("annul"), without the
# "can_" prefix of exposed methods ("can_event"). Single-row actions must be POSTed (CSRF).
def _grant(area: dict[Role, dict]) -> None:
    """Add an area's permissions to the roles, uniting the permission names of a view that
    several areas grant (e.g. ImportView for the staff and the pupils import)."""
    for role, perms in area.items():
        merged = {k: set(v) for k, v in ROLE_PERMISSIONS[role].items()}
        for view, names in perms.items():
            merged.setdefault(view, set()).update(names)
        ROLE_PERMISSIONS[role] = merged


_PART_EDIT = READ | {"can_add", "can_edit"}
RECORDS_ADMIN = {
    "StaffFileView": _PART_EDIT,
    "IdentityDocumentView": _PART_EDIT,
    "EducationView": _PART_EDIT,
    "AwardView": _PART_EDIT,
    "StaffEventView": READ | {"scan"},
    "QualificationCourseView": _PART_EDIT | {"approve", "complete"},
    "StaffOpsView": {"can_event", "can_complete", "can_scan"},
    "StaffReportsView": {"can_report", "can_certificate"},
    "ImportView": {"can_upload", "can_template"},
    "ImportRecordView": READ,
    "BlankView": READ,
    "BlankHistoryView": READ,
    "IssuedCertificateView": READ | {"annul"},
    "IssuedCommendationView": READ | {"annul"},
    "BlankOpsView": {"can_receive", "can_issue", "can_writeoff", "can_add_document",
                     "can_annul", "can_export", "can_print_list"},
}
#: director and deputy (their school) and district staff (their schools) read; the scan of
#: a sick leave is for the school only
RECORDS_READER = {
    "StaffFileView": READ, "IdentityDocumentView": READ, "EducationView": READ,
    "AwardView": READ, "StaffEventView": READ, "QualificationCourseView": READ,
    "StaffReportsView": {"can_report", "can_certificate"},
    "ImportRecordView": READ, "BlankView": READ, "BlankHistoryView": READ,
    "IssuedCertificateView": READ, "IssuedCommendationView": READ,
    "BlankOpsView": {"can_export", "can_print_list"},
}
#: read-only REST resources of the records office (app/api/records.py)
RECORDS_APIS = ["StaffFileApi", "StaffEventApi", "QualificationCourseApi", "BlankApi",
                "IssuedDocumentApi"]
RECORDS_ADMIN.update({a: API_READ for a in RECORDS_APIS})
RECORDS_READER.update({a: API_READ for a in RECORDS_APIS})
RECORDS_SCHOOL_READER = dict(RECORDS_READER, StaffEventView=READ | {"scan"},
                             StaffOpsView={"can_scan"})
#: teachers: their own staff file only (row scope in app.security.records.scope)
RECORDS_OWN = {
    "StaffFileView": READ, "IdentityDocumentView": READ, "EducationView": READ,
    "AwardView": READ, "StaffEventView": READ | {"scan"},
    "QualificationCourseView": READ, "StaffOpsView": {"can_scan"},
    "StaffReportsView": {"can_certificate"},
    **{a: API_READ for a in ("StaffFileApi", "StaffEventApi", "QualificationCourseApi")},
}
_RECORDS = {
    Role.ministry_admin: RECORDS_ADMIN, Role.tech_operator: RECORDS_ADMIN,
    Role.district_head: RECORDS_READER, Role.district_deputy: RECORDS_READER,
    Role.district_admin: RECORDS_READER, Role.district_employee: RECORDS_READER,
    Role.school_admin: RECORDS_ADMIN, Role.director: RECORDS_SCHOOL_READER,
    Role.deputy_director: RECORDS_SCHOOL_READER, Role.class_teacher: RECORDS_OWN,
    Role.teacher: RECORDS_OWN,
}
_grant(_RECORDS)

# --- contingent movements with orders (issue 5) -------------------------------------------
# the school's writers (coordinator-administrator) add orders and perform movements;
# director, deputy director and district staff read; teachers have no access. The
# "<View>:<page>" keys grant the menu links of those pages (views/__init__.py).
_CONTINGENT_MENUS: dict[str, set[str]] = {"MovementFormsView:without_class": set(),
                     "ContingentBookView:book": set(), "ContingentBookView:alphabetical": set()}
CONTINGENT_READ = {
    "MovementFormsView": {"can_index", "can_without_class"},
    "ContingentBookView": {"can_book", "can_alphabetical"},
    "OrderActionView": {"can_scan"},
    "TransferRequestView": {"can_transfer_requests"},
    "OrderView": READ | {"scan"},
    "MovementView": READ,
    "OrderApi": API_READ,
    "MovementApi": API_READ,
    **_CONTINGENT_MENUS,
}
CONTINGENT_WRITE = {
    "MovementFormsView": CONTINGENT_READ["MovementFormsView"] | {
        "can_enrol", "can_transfer", "can_exclude", "can_transfer_out", "can_disband",
        "can_promote"},
    "ContingentBookView": CONTINGENT_READ["ContingentBookView"],
    "OrderActionView": CONTINGENT_READ["OrderActionView"] | {"can_annul_order"},
    "TransferRequestView": CONTINGENT_READ["TransferRequestView"] | {
        "can_request_transfer", "can_decide_transfer_request"},
    "OrderView": READ | {"can_add", "can_edit", "scan", "annul"},
    "MovementView": READ,
    "OrderApi": API_READ | {"can_post", "can_put"},  # never deleted: no DELETE
    "MovementApi": API_READ | {"can_post"},
    **_CONTINGENT_MENUS,
}
_CONTINGENT = {
    Role.ministry_admin: CONTINGENT_WRITE, Role.tech_operator: CONTINGENT_WRITE,
    Role.district_head: CONTINGENT_READ, Role.district_deputy: CONTINGENT_READ,
    Role.district_admin: CONTINGENT_READ, Role.district_employee: CONTINGENT_READ,
    Role.school_admin: CONTINGENT_WRITE, Role.director: CONTINGENT_READ,
    Role.deputy_director: CONTINGENT_READ,
}
_grant(_CONTINGENT)
# --- pupils' personal files and the pupils import (issue 5) ------------------------------
# Row scope and the medical/social parts: app.security.pupils.scope. The sensitive REST
# resource is granted to school roles only; its filter leaves a teacher only the pupils of
# their own class (as class teacher).
_PUPIL_READ_OPS = {"can_print_file", "can_photo_image"}
PUPILS_ADMIN = {
    "PupilFileView": READ | {"can_add", "can_edit"},
    "PupilFileOpsView": _PUPIL_READ_OPS | {"can_sensitive", "can_characterisation",
                                           "can_photo", "can_parent", "can_consent",
                                           "can_achievement"},
    "PupilFileApi": API_READ, "PupilSensitiveApi": API_READ,
    "ImportView": {"can_upload", "can_template"}, "PupilImportLink": set(),
}
PUPILS_SCHOOL_READER = {"PupilFileView": READ, "PupilFileOpsView": _PUPIL_READ_OPS,
                        "PupilFileApi": API_READ, "PupilSensitiveApi": API_READ}
PUPILS_TEACHER = dict(PUPILS_SCHOOL_READER,
                      PupilFileOpsView=_PUPIL_READ_OPS | {"can_characterisation"})
PUPILS_READER = {"PupilFileView": READ, "PupilFileOpsView": _PUPIL_READ_OPS,
                 "PupilFileApi": API_READ}
_PUPILS = {
    Role.ministry_admin: PUPILS_ADMIN, Role.tech_operator: PUPILS_ADMIN,
    Role.district_head: PUPILS_READER, Role.district_deputy: PUPILS_READER,
    Role.district_admin: PUPILS_READER, Role.district_employee: PUPILS_READER,
    Role.school_admin: PUPILS_ADMIN, Role.director: PUPILS_SCHOOL_READER,
    Role.deputy_director: PUPILS_SCHOOL_READER, Role.class_teacher: PUPILS_TEACHER,
    Role.teacher: PUPILS_TEACHER, Role.student: PUPILS_READER, Role.parent: PUPILS_READER,
}
_grant(_PUPILS)
# --- journal (issue 4, jgrades): final grades, access grants, journal settings ----------
# Setting a final grade: the service decides (the section's teacher); school roles hold the
# permission so that a director gets the service's 403, not a missing-permission page.
_FINAL_SET = {"JournalFinalApi": {"can_final", "can_confirm"},
              "JournalFinalsView": {"can_section", "can_confirm"}}
_FINAL_READ = {"FinalGradeApi": API_READ}
_FINALS_PAGE = {"JournalFinalsView": {"can_section", "can_confirm"}}
_GRANT_ADMIN = {"AccessGrantView": READ | {"can_add", "revoke"}}
_SETTINGS_EDIT = {"JournalSettingsView": READ | {"can_add", "can_edit"}}
_JOURNAL_GRADES = {
    Role.ministry_admin: {**_FINAL_READ, **_FINALS_PAGE, **_GRANT_ADMIN, **_SETTINGS_EDIT},
    Role.tech_operator: {**_FINAL_READ, **_FINALS_PAGE, **_GRANT_ADMIN, **_SETTINGS_EDIT},
    Role.district_head: {**_FINAL_READ, **_FINALS_PAGE, "AccessGrantView": READ,
                         "JournalSettingsView": READ},
    Role.district_deputy: {**_FINAL_READ, **_FINALS_PAGE, "AccessGrantView": READ,
                           "JournalSettingsView": READ},
    Role.district_admin: {**_FINAL_READ, **_FINALS_PAGE, "AccessGrantView": READ,
                          "JournalSettingsView": READ},
    Role.district_employee: {**_FINAL_READ, **_FINALS_PAGE, "AccessGrantView": READ,
                             "JournalSettingsView": READ},
    Role.school_admin: {**_FINAL_SET, **_FINAL_READ, **_GRANT_ADMIN, **_SETTINGS_EDIT},
    Role.director: {**_FINAL_SET, **_FINAL_READ, **_GRANT_ADMIN, "JournalSettingsView": READ},
    Role.deputy_director: {**_FINAL_SET, **_FINAL_READ, **_GRANT_ADMIN,
                           "JournalSettingsView": READ},
    Role.class_teacher: {**_FINAL_SET, **_FINAL_READ, "AccessGrantView": READ},
    Role.teacher: {**_FINAL_SET, **_FINAL_READ, "AccessGrantView": READ},
    Role.student: _FINAL_READ,
    Role.parent: _FINAL_READ,
}
_grant(_JOURNAL_GRADES)
# --- class journal (issue 4): the grid and its JSON endpoints; row rules in
# app.security.journal.scope (who reads which section, who writes marks / attendance)
JOURNAL_READ_APIS = {a: API_READ for a in ("JournalLessonApi", "JournalMarkApi",
                                           "JournalAttendanceApi")}
JOURNAL_READER = {"JournalView": {"can_index", "can_grid"}, "JournalApi": {"can_get"},
                  **JOURNAL_READ_APIS}
JOURNAL_WRITER = {**JOURNAL_READER, "JournalApi": {"can_get", "can_post"}}
_JOURNAL = {
    Role.ministry_admin: JOURNAL_READER, Role.tech_operator: JOURNAL_READER,
    Role.district_head: JOURNAL_READER, Role.district_deputy: JOURNAL_READER,
    Role.district_admin: JOURNAL_READER, Role.district_employee: JOURNAL_READER,
    Role.school_admin: JOURNAL_READER, Role.director: JOURNAL_READER,
    Role.deputy_director: JOURNAL_READER, Role.class_teacher: JOURNAL_WRITER,
    Role.teacher: JOURNAL_WRITER,
    # pupils and parents: their own marks and attendance through REST (the diary is theirs)
    Role.student: JOURNAL_READ_APIS, Role.parent: JOURNAL_READ_APIS,
}
_grant(_JOURNAL)

# --- journal (issue 4): diary, summary sheet, change history -------------------------------
# Row scope in app.security.journal.scope: pupils and parents open their own diaries; staff
# (class teacher of the class, administration, district) pupils' diaries and summary sheets;
# the history shows the sections a user reads (a teacher: those they teach).
DIARY_OWN = {"DiaryView": {"can_index", "can_week"}, "DiaryApi": {"can_get"}}
DIARY_STAFF = {"DiaryView": {"can_index", "can_week", "can_summary", "can_class_summary"},
               "DiaryApi": {"can_get"}, "JournalHistoryView": {"can_index"}}
for _role in ROLE_PERMISSIONS:
    _perms = DIARY_OWN if _role in (Role.student, Role.parent) else DIARY_STAFF
    ROLE_PERMISSIONS[_role] = {**ROLE_PERMISSIONS[_role], **_perms}

#: every logged-in user may change their own password and language
COMMON = {
    "ResetMyPasswordView": {"can_this_form_get", "can_this_form_post"},
    "UserInfoEditView": {"can_this_form_get", "can_this_form_post"},
    "UserDBModelView": {"can_userinfo", "resetmypassword"},
}


def sync_roles(appbuilder, menus: dict[str, tuple[str, str]],
               extra: dict | None = None) -> dict[str, int]:
    """Create every role and give it exactly the declared permissions, and the menu entries
    (``menus``: view name -> (menu name, category), as ``app.views.MENUS`` registers them)
    of the views it may open."""
    sm = appbuilder.sm
    sm.add_role(sm.auth_role_admin)
    sm.add_role(sm.auth_role_public)
    appbuilder.add_permissions(update_perms=True)
    menu_of = {}
    for view_name, (name, category) in menus.items():
        menu_of[view_name] = [str(name), str(category)]
    # FAB stores menu names untranslated: use the English source of the lazy strings
    counts = {}
    table = dict(ROLE_PERMISSIONS)
    if extra:
        table.update(extra)
    for role, perms in table.items():
        role_obj = sm.add_role(role.value)
        wanted = []
        merged = {k: set(v) for k, v in perms.items()}
        for k, v in COMMON.items():
            merged.setdefault(k, set()).update(v)
        for view_name, names in merged.items():
            for perm in names:
                pv = sm.find_permission_view_menu(perm, view_name)
                if pv is None and perm.startswith("can_"):
                    # FAB names an @action's permission after the action itself
                    # ("register", not "can_register"): accept both spellings
                    pv = sm.find_permission_view_menu(perm[4:], view_name)
                if pv is not None:
                    wanted.append(pv)
            for menu in menu_of.get(view_name, []):
                pv = sm.find_permission_view_menu("menu_access", menu)
                if pv is not None:
                    wanted.append(pv)
        role_obj.permissions = list({id(p): p for p in wanted}.values())
        sm.session.merge(role_obj)
        counts[role.value] = len(role_obj.permissions)
    sm.session.commit()
    return counts
