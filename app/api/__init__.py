"""REST resources under /api/v1/, registered once by ``create_app``."""
from __future__ import annotations


def register_apis(appbuilder) -> None:
    from app.api.journal_finals import JOURNAL_FINAL_APIS
    from app.api.lookup import LookupApi
    from app.api.records import RECORDS_APIS
    from app.api.resources import MembershipApi, OrganizationApi, PersonApi
    from app.api.study import STUDY_APIS

    for api in (OrganizationApi, PersonApi, MembershipApi, LookupApi, *STUDY_APIS, *RECORDS_APIS):
        appbuilder.add_api(api)
    for api in JOURNAL_FINAL_APIS:
        appbuilder.add_api(api)
