"""REST resources under /api/v1/, registered once by ``create_app``."""
from __future__ import annotations


def register_apis(appbuilder) -> None:
    from app.api.contingent import CONTINGENT_APIS
    from app.api.journal.cells import JOURNAL_APIS
    from app.api.journal.diary import DiaryApi
    from app.api.journal.finals import JOURNAL_FINAL_APIS
    from app.api.lookup import LookupApi
    from app.api.openapi import register_openapi
    from app.api.pupil_file import PUPIL_APIS
    from app.api.records import RECORDS_APIS
    from app.api.resources import MembershipApi, OrganizationApi, PersonApi
    from app.api.study import STUDY_APIS

    apis = [OrganizationApi, PersonApi, MembershipApi, LookupApi]
    apis += STUDY_APIS
    apis += RECORDS_APIS
    apis += CONTINGENT_APIS
    apis += PUPIL_APIS
    apis += JOURNAL_APIS
    apis += JOURNAL_FINAL_APIS
    apis.append(DiaryApi)
    for api in apis:
        appbuilder.add_api(api)
    register_openapi(appbuilder)
