"""REST resources under /api/v1/, registered once by ``create_app``."""
from __future__ import annotations


def register_apis(appbuilder) -> None:
    from app.api.journal import JOURNAL_APIS
    from app.api.lookup import LookupApi
    from app.api.records import RECORDS_APIS
    from app.api.resources import MembershipApi, OrganizationApi, PersonApi
    from app.api.study import STUDY_APIS

    for api in (OrganizationApi, PersonApi, MembershipApi, LookupApi, *STUDY_APIS, *RECORDS_APIS,
                *JOURNAL_APIS):
        appbuilder.add_api(api)
