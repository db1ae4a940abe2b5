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
    _add(appbuilder, AuditRecordView, _l("Change log"), audit, "fa-history")
    _add(appbuilder, LoginEventView, _l("Logins"), audit, "fa-sign-in")
