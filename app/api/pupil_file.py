"""REST resources of pupils' personal files (read only).

Two resources on the same rows, each with its own field set and row filter, so that the
medical and social parts never travel to someone who may not read them:
- ``/api/v1/pupil_file/``: the general parts (``PupilFileReadFilter``);
- ``/api/v1/pupil_file_sensitive/``: the medical and social parts
  (``PupilSensitiveReadFilter``: school administration and the pupil's class teacher;
  other roles get no permission or an empty list / 404).
Changes are made on the pages (one transaction per action, the forms' rules).
"""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedModelRestApi
from app.models.pupil_file import MEDICAL_FIELDS, SOCIAL_FIELDS, PupilFile
from app.security.pupils.scope import PupilFileReadFilter, PupilSensitiveReadFilter

GENERAL_COLUMNS = ["id", "organization_id", "person_id", "nationality", "citizenship",
                   "birth_certificate", "registered_address", "actual_address",
                   "previous_school", "previous_document", "arrived_on", "education_form",
                   "in_depth_subjects", "additional_languages", "characterisation",
                   "characterisation_author", "characterisation_date"]


class PupilFileApi(ScopedModelRestApi):
    resource_name = "pupil_file"
    datamodel = SQLAInterface(PupilFile)
    base_permissions = ["can_get", "can_info"]
    list_columns = show_columns = GENERAL_COLUMNS
    search_columns = ["organization_id", "person_id", "education_form"]
    base_filters = [["organization_id", PupilFileReadFilter, None]]


class PupilSensitiveApi(ScopedModelRestApi):
    resource_name = "pupil_file_sensitive"
    datamodel = SQLAInterface(PupilFile)
    base_permissions = ["can_get", "can_info"]
    list_columns = show_columns = ["id", "organization_id", "person_id",
                                   *MEDICAL_FIELDS, *SOCIAL_FIELDS]
    search_columns = ["organization_id", "person_id"]
    base_filters = [["organization_id", PupilSensitiveReadFilter, None]]


PUPIL_APIS = [PupilFileApi, PupilSensitiveApi]
