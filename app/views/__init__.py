"""Registration of every view and menu entry, called once by ``create_app``."""
from __future__ import annotations

from app.i18n import N_ as _l

#: view class name -> (menu name, category); roles.py grants menu access from it
MENUS: dict[str, tuple[str, str]] = {}


def _add(appbuilder, view, name, category, icon=None):
    appbuilder.add_view(view, name, icon=icon, category=category)
    MENUS[view.__name__] = (name, category)


def register_views(appbuilder) -> None:
    from app.security.contingent.lookups import register_contingent_lookups
    from app.security.journal.lookups import register_journal_lookups

    # the pickers' scoped look-ups of the contingent and journal forms (app/security)
    register_contingent_lookups()
    register_journal_lookups()
    from app.views.audit import AuditRecordView, LoginEventView
    from app.views.org_settings import OrgSettingsView
    from app.views.orgs import OrganizationView, OrgTypeView
    from app.views.participants import ParticipantView
    from app.views.people import ArchiveView, MembershipView, PersonView

    org, people, audit = _l("Organizations"), _l("People"), _l("Audit")
    _add(appbuilder, OrganizationView, _l("Organizations"), org, "fa-sitemap")
    _add(appbuilder, OrgSettingsView, _l("Organization administration"), org, "fa-cog")
    _add(appbuilder, OrgTypeView, _l("Organization types"), org, "fa-tags")
    _add(appbuilder, PersonView, _l("Persons and users"), people, "fa-users")
    _add(appbuilder, MembershipView, _l("Participants"), people, "fa-id-badge")
    _add(appbuilder, ArchiveView, _l("Archive"), people, "fa-archive")
    appbuilder.add_view_no_menu(ParticipantView)
    appbuilder.add_link(_l("Add participant"), href="/participants/add", category=people,
                        icon="fa-user-plus")
    MENUS["ParticipantView"] = (_l("Add participant"), people)
    _register_records(appbuilder)
    _add(appbuilder, AuditRecordView, _l("Change log"), audit, "fa-history")
    _add(appbuilder, LoginEventView, _l("Logins"), audit, "fa-sign-in")
    register_study_views(appbuilder)
    _register_contingent(appbuilder)
    register_journal_views(appbuilder)
    register_journal_grade_views(appbuilder)
    register_diary_views(appbuilder)


def _register_contingent(appbuilder) -> None:
    """Contingent: orders, movements, pupils without a class, books (issue 5)."""
    from app.views.contingent.books import ContingentBookView
    from app.views.contingent.lists import MovementView, OrderActionView, OrderView
    from app.views.contingent.movements import MovementFormsView
    from app.views.contingent.requests import TransferRequestView

    cat = _l("Contingent")
    _add(appbuilder, MovementFormsView, _l("Contingent movements"), cat, "fa-exchange")
    _add(appbuilder, OrderView, _l("Orders"), cat, "fa-file-text")
    _add(appbuilder, MovementView, _l("Movements"), cat, "fa-random")
    for view in (OrderActionView, TransferRequestView, ContingentBookView):
        appbuilder.add_view_no_menu(view)
    for view, key, name, href, icon in (
            ("MovementFormsView", "without_class", _l("Pupils without a class"),
             "/contingent/without_class", "fa-user-times"),
            ("ContingentBookView", "book", _l("Book of pupil movement"), "/contingent/book",
             "fa-book"),
            ("ContingentBookView", "alphabetical", _l("Alphabetical book of pupils"),
             "/contingent/alphabetical", "fa-sort-alpha-asc")):
        appbuilder.add_link(name, href=href, category=cat, icon=icon)
        # roles.py grants the menu entry with the page permission (see CONTINGENT_READ)
        MENUS[f"{view}:{key}"] = (name, cat)


def register_journal_grade_views(appbuilder) -> None:
    """Journal (issue 4): access grants and journal settings (jgrades)."""
    from app.views.journal.admin import AccessGrantView, JournalSettingsView
    from app.views.journal.finals import JournalFinalsView

    journal = _l("Journal")
    _add(appbuilder, AccessGrantView, _l("Access grants"), journal, "fa-unlock-alt")
    _add(appbuilder, JournalSettingsView, _l("Journal settings"), journal, "fa-sliders")
    appbuilder.add_view_no_menu(JournalFinalsView)


def register_journal_views(appbuilder) -> None:
    """The class journal (issue 4)."""
    from app.views.journal.grid import JournalView

    journal = _l("Journal")
    _add(appbuilder, JournalView, _l("Class journal"), journal, "fa-book")


def register_diary_views(appbuilder) -> None:
    """Journal (issue 4): the diary, the summary sheet (no menu: from the diary's class
    list) and the change history report."""
    from app.views.journal.diary import DiaryView
    from app.views.journal.history import JournalHistoryView

    journal = _l("Journal")
    _add(appbuilder, DiaryView, _l("Diary"), journal, "fa-calendar")
    _add(appbuilder, JournalHistoryView, _l("Change history"), journal, "fa-history")


def register_study_views(appbuilder) -> None:
    from app.views.study.curriculum import (
        CurriculumCopyView,
        CurriculumItemView,
        CurriculumSubgroupTeacherView,
        WeekCorrectionView,
    )
    from app.views.study.plans import LessonPlanView, PlanTopicView
    from app.views.study.reports import StudyReportView
    from app.views.study.setup import (
        AcademicYearView,
        BuildingView,
        ClassEnrollmentView,
        RoomView,
        SchoolClassView,
        StudyPeriodView,
        StudySettingsView,
        SubgroupMemberView,
        SubgroupView,
        SubjectClassView,
        SubjectRoomView,
        SubjectTeacherView,
        SubjectView,
    )
    from app.views.study.timetable import (
        BellScheduleView,
        BellSlotView,
        LessonView,
        TimetableEntryView,
    )

    setup, plan, tt = _l("School year"), _l("Curriculum"), _l("Timetable")
    _add(appbuilder, StudySettingsView, _l("Study settings"), setup, "fa-sliders")
    _add(appbuilder, AcademicYearView, _l("Academic years"), setup, "fa-calendar-o")
    _add(appbuilder, StudyPeriodView, _l("Study periods"), setup, "fa-calendar")
    _add(appbuilder, SubjectView, _l("Subjects"), setup, "fa-book")
    _add(appbuilder, BuildingView, _l("Buildings"), setup, "fa-building")
    _add(appbuilder, RoomView, _l("Rooms"), setup, "fa-door-open")
    _add(appbuilder, SchoolClassView, _l("Classes"), setup, "fa-users")
    _add(appbuilder, ClassEnrollmentView, _l("Pupils in classes"), setup, "fa-child")
    _add(appbuilder, SubgroupView, _l("Groups and subgroups"), setup, "fa-object-group")
    _add(appbuilder, SubgroupMemberView, _l("Subgroup members"), setup, "fa-user-plus")
    _add(appbuilder, SubjectTeacherView, _l("Subjects and teachers"), setup, "fa-link")
    _add(appbuilder, SubjectRoomView, _l("Subjects and rooms"), setup, "fa-link")
    _add(appbuilder, SubjectClassView, _l("Subjects and classes"), setup, "fa-link")
    _add(appbuilder, CurriculumItemView, _l("Working curriculum"), plan, "fa-list-alt")
    _add(appbuilder, CurriculumSubgroupTeacherView, _l("Subgroup teachers"), plan,
         "fa-user")
    _add(appbuilder, WeekCorrectionView, _l("Graph of the study process: corrections"), plan,
         "fa-pencil")
    _add(appbuilder, CurriculumCopyView, _l("Copy the curriculum"), plan, "fa-copy")
    _add(appbuilder, LessonPlanView, _l("Calendar-thematic plans"), plan, "fa-list-ol")
    appbuilder.add_view_no_menu(PlanTopicView)
    _add(appbuilder, StudyReportView, _l("Study process reports"), plan, "fa-table")
    _add(appbuilder, BellScheduleView, _l("Bell schedules"), tt, "fa-bell")
    _add(appbuilder, BellSlotView, _l("Bells"), tt, "fa-clock-o")
    _add(appbuilder, TimetableEntryView, _l("Weekly timetable"), tt, "fa-th")
    _add(appbuilder, LessonView, _l("Lessons"), tt, "fa-calendar-check-o")


def _register_records(appbuilder) -> None:
    """Records office: staff files, reports, strict-report blanks, imports (issue 5)."""
    from app.views.imports import ImportRecordView, ImportView
    from app.views.records.blanks import (
        BlankHistoryView,
        BlankOpsView,
        BlankView,
        IssuedCertificateView,
        IssuedCommendationView,
    )
    from app.views.records.reports import StaffReportsView
    from app.views.records.staff import (
        AwardView,
        EducationView,
        IdentityDocumentView,
        QualificationCourseView,
        StaffEventView,
        StaffFileView,
    )
    from app.views.records.staff_ops import StaffOpsView

    staff, docs = _l("Staff"), _l("Records office")
    _add(appbuilder, StaffFileView, _l("Staff files"), staff, "fa-address-book")
    _add(appbuilder, StaffEventView, _l("Staff events"), staff, "fa-calendar")
    _add(appbuilder, QualificationCourseView, _l("Qualification courses"), staff,
         "fa-graduation-cap")
    _add(appbuilder, IdentityDocumentView, _l("Identity documents"), staff, "fa-id-card")
    _add(appbuilder, EducationView, _l("Education"), staff, "fa-university")
    _add(appbuilder, AwardView, _l("Awards"), staff, "fa-trophy")
    appbuilder.add_view_no_menu(StaffOpsView)
    appbuilder.add_view_no_menu(StaffReportsView)
    appbuilder.add_link(_l("Staff reports"), href="/staffreports/", category=staff,
                        icon="fa-table")
    MENUS["StaffReportsView"] = (_l("Staff reports"), staff)
    appbuilder.add_view_no_menu(ImportView)
    appbuilder.add_link(_l("Import staff"), href="/imports/staff", category=staff,
                        icon="fa-upload")
    MENUS["ImportView"] = (_l("Import staff"), staff)
    _add(appbuilder, ImportRecordView, _l("Import history"), staff, "fa-history")
    _register_pupil_files(appbuilder)
    _add(appbuilder, BlankView, _l("Strict-report blanks"), docs, "fa-file-text-o")
    _add(appbuilder, BlankHistoryView, _l("History of blanks"), docs, "fa-history")
    _add(appbuilder, IssuedCertificateView, _l("Issued certificates"), docs, "fa-certificate")
    _add(appbuilder, IssuedCommendationView, _l("Issued commendation letters"), docs,
         "fa-star")
    appbuilder.add_view_no_menu(BlankOpsView)


def _register_pupil_files(appbuilder) -> None:
    """Pupils' personal files and the pupils-with-parents import (issue 5)."""
    from app.views.pupils.files import PupilFileOpsView, PupilFileView

    pupils = _l("Pupils")
    _add(appbuilder, PupilFileView, _l("Pupils' personal files"), pupils, "fa-folder-open")
    appbuilder.add_view_no_menu(PupilFileOpsView)
    appbuilder.add_link(_l("Import pupils with parents"), href="/imports/pupils",
                        category=pupils, icon="fa-upload")
    MENUS["PupilImportLink"] = (_l("Import pupils with parents"), pupils)
