"""Registration of every view and menu entry, called once by ``create_app``."""
from __future__ import annotations

from app.i18n import N_ as _l

#: view class name -> (menu name, category); roles.py grants menu access from it
MENUS: dict[str, tuple[str, str]] = {}


def _add(appbuilder, view, name, category, icon=None):
    appbuilder.add_view(view, name, icon=icon, category=category)
    MENUS[view.__name__] = (name, category)


def register_views(appbuilder) -> None:
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


def _register_records(appbuilder) -> None:
    """Records office: staff files, reports, strict-report blanks, imports (issue 5)."""
    from app.views.blanks import (
        BlankHistoryView,
        BlankOpsView,
        BlankView,
        IssuedCertificateView,
        IssuedCommendationView,
    )
    from app.views.imports import ImportRecordView, ImportView
    from app.views.staff import (
        AwardView,
        EducationView,
        IdentityDocumentView,
        QualificationCourseView,
        StaffEventView,
        StaffFileView,
    )
    from app.views.staff_ops import StaffOpsView
    from app.views.staff_reports import StaffReportsView

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
    _add(appbuilder, BlankView, _l("Strict-report blanks"), docs, "fa-file-text-o")
    _add(appbuilder, BlankHistoryView, _l("History of blanks"), docs, "fa-history")
    _add(appbuilder, IssuedCertificateView, _l("Issued certificates"), docs, "fa-certificate")
    _add(appbuilder, IssuedCommendationView, _l("Issued commendation letters"), docs,
         "fa-star")
    appbuilder.add_view_no_menu(BlankOpsView)
