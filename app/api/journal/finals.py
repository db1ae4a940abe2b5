"""Final grades over HTTP: ``POST /api/v1/journal/final`` (set or confirm one period or year
grade), ``POST /api/v1/journal/finals/confirm`` (confirm every computed grade of a section at
once) and the read resource ``/api/v1/final_grade/`` (scoped like the journal)."""
from __future__ import annotations

from flask import jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import protect
from flask_babel import lazy_gettext as _l

from app.api.base import ScopedModelRestApi
from app.models.journal import FinalGrade
from app.security.journal.filters import FinalGradeReadFilter
from app.security.scopes import current_scope
from app.services.errors import DomainError, ScopeError, ValidationError
from app.services.journal import commands as finals


def _error(err: DomainError):
    """The JSON error format of app/api/base.py: 403 scope, 409 conflict, 422 rule (the
    command has rolled its unit of work back)."""
    body = {"message": {err.field or "_": [str(err)]}, "code": err.code}
    if isinstance(err, finals.FinalConflictError):
        body["server"] = finals.final_as_dict(err.server)
        return make_response(jsonify(body), 409)
    return make_response(jsonify(body), 403 if isinstance(err, ScopeError) else 422)


def _int(data: dict, name: str, required: bool = True) -> int | None:
    value = data.get(name)
    if value in (None, "") and not required:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("A whole number is required"), field=name,
                              code="number_required") from None


class JournalFinalApi(BaseApi):
    """Setting final grades; the rules are in app/services/journal/commands.py."""

    resource_name = "journal"
    allow_browser_login = True
    openapi_spec_tag = "Journal"

    @expose("/final", methods=["POST"])
    @protect()
    def final(self):
        """Set or confirm a pupil's period grade (``period_id``) or year grade (null).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [class_id, subject_id, student_id]
                  properties:
                    class_id: {type: integer}
                    subject_id: {type: integer}
                    period_id: {type: integer, nullable: true}
                    student_id: {type: integer}
                    value: {type: string}
                    bonus: {type: string, nullable: true}
                    base_version: {type: integer, nullable: true}
                    reason: {type: string, nullable: true}
          responses:
            200:
              description: the stored grade and its version
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      final: {$ref: '#/components/schemas/FinalGrade'}
                      version: {type: integer}
            403:
              description: not the teacher of this class and subject
            409:
              description: the grade changed meanwhile; ``server`` holds it (or null)
            422:
              description: a rule refused the value
        """
        data = request.get_json(silent=True) or {}
        try:
            final = finals.set_final(
                current_scope(), class_id=_int(data, "class_id"),
                subject_id=_int(data, "subject_id"),
                period_id=_int(data, "period_id", required=False),
                student_id=_int(data, "student_id"), value=data.get("value"),
                bonus=data.get("bonus"), base_version=data.get("base_version"),
                reason=data.get("reason"))
        except DomainError as err:
            return _error(err)
        return self.response(200, final=finals.final_as_dict(final), version=final.version)

    @expose("/finals/confirm", methods=["POST"])
    @protect()
    def confirm(self):
        """Confirm the suggested grade of every pupil of a section who has none yet, in one
        transaction (a pupil without marks is left for the teacher).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [class_id, subject_id, period_id]
                  properties:
                    class_id: {type: integer}
                    subject_id: {type: integer}
                    period_id: {type: integer}
          responses:
            200:
              description: how many grades were confirmed and how many pupils were left
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      confirmed: {type: integer}
                      left: {type: integer}
            403:
              description: not the teacher of this class and subject
        """
        data = request.get_json(silent=True) or {}
        try:
            done, left = finals.confirm_section(
                current_scope(), class_id=_int(data, "class_id"),
                subject_id=_int(data, "subject_id"), period_id=_int(data, "period_id"))
        except DomainError as err:
            return _error(err)
        return self.response(200, confirmed=done, left=left)


class FinalGradeApi(ScopedModelRestApi):
    """Read-only final grades: staff and district staff of the school, the class teacher,
    the subject's teachers of the class; pupils and parents only their own."""

    resource_name = "final_grade"
    datamodel = SQLAInterface(FinalGrade)
    base_filters = [["id", FinalGradeReadFilter, None]]
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id", "organization_id", "year_id", "kind", "period_id",
                                   "class_id", "subject_id", "student_id", "value", "computed",
                                   "bonus", "version"]
    search_columns = ["class_id", "subject_id", "period_id", "student_id", "kind", "year_id"]
    order_columns = ["id", "student_id", "period_id"]


JOURNAL_FINAL_APIS = [JournalFinalApi, FinalGradeApi]
