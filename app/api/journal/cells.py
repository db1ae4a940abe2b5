"""The class journal's JSON endpoints (grid, cell, fill down, lesson panel) and read-only
REST resources for journal lessons, marks and attendance.

Writes go through ``app.services.journal.write`` and ``.panel`` only. A browser (session cookie) must send
the CSRF token in ``X-CSRFToken`` (``app.api.http``, for every writing endpoint); a token
client (JWT ``Authorization`` header) need not.
"""
from __future__ import annotations

from flask import g, jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app import clock
from app.api.base import ScopedModelRestApi
from app.extensions import db
from app.models.journal import JournalCell, Mark
from app.models.timetable import Lesson
from app.security.journal import scope as journal_scope
from app.security.journal.filters import (
    JournalCellReadFilter,
    JournalLessonReadFilter,
    JournalMarkReadFilter,
)
from app.security.scopes import current_scope
from app.services.errors import ConflictError, DomainError, ScopeError
from app.services.journal import panel, write
from app.services.journal.grid import build_grid


def _error(err: DomainError):
    status = 403 if isinstance(err, ScopeError) else 409 if isinstance(err, ConflictError) \
        else 422
    body = {"message": {err.field or "_": [str(err)]}, "code": err.code}
    if isinstance(err, write.CellConflict):
        body["conflict"] = True
        body["server"] = err.server
    return make_response(jsonify(body), status)


def _author_id(lesson: Lesson) -> int | None:
    """The person acting for the user: the lesson's teacher or substitute, else the class
    teacher, else any of the user's persons."""
    mine = current_scope().person_ids
    for pid in (lesson.substitute_teacher_id, lesson.teacher_id,
                getattr(lesson.school_class, "class_teacher_id", None)):
        if pid in mine:
            return pid
    return min(mine) if mine else None


def _readable_lesson(lesson_id) -> Lesson | None:
    try:
        lesson_id = int(lesson_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalars(select(Lesson).where(
        Lesson.id == lesson_id, journal_scope.lesson_read_clause(current_scope()))
        .options(lazyload("*"))).first()


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class JournalApi(BaseApi):
    """``/api/v1/journal/``: grid, cell, fill, lesson."""

    resource_name = "journal"
    allow_browser_login = True
    method_permission_name = {"grid": "get", "get_lesson": "get", "cell": "post",
                              "fill": "post", "post_lesson": "post"}

    @expose("/grid", methods=["GET"])
    @protect()
    @safe
    def grid(self):
        """The grid of a class (or subgroup) x subject x period: ``class_id``,
        ``subject_id``, ``period_id``, optional ``subgroup``.
        ---
        get:
          parameters:
          - {in: query, name: class_id, required: true, schema: {type: integer}}
          - {in: query, name: subject_id, required: true, schema: {type: integer}}
          - {in: query, name: period_id, required: true, schema: {type: integer}}
          - {in: query, name: subgroup, schema: {type: integer}}
          responses:
            200:
              description: the section's lessons, pupils, cells (by ``lesson_id:student_id``)
                and final grades, with what the user may write
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      class:
                        type: object
                        properties:
                          id: {type: integer}
                          name: {type: string}
                          organization_id: {type: integer}
                      subject:
                        type: object
                        properties: {id: {type: integer}, name: {type: string}}
                      period:
                        type: object
                        properties:
                          id: {type: integer}
                          name: {type: string}
                          starts_on: {type: string, format: date}
                          ends_on: {type: string, format: date}
                      subgroup_id: {type: integer, nullable: true}
                      policy: {type: string}
                      categories: {type: array, items: {type: string}}
                      edit_window: {type: integer, nullable: true}
                      today: {type: string, format: date}
                      lessons: {type: array, items: {type: object}}
                      pupils:
                        type: array
                        items:
                          type: object
                          properties: {id: {type: integer}, name: {type: string}}
                      cells:
                        type: object
                        additionalProperties: {$ref: '#/components/schemas/JournalCell'}
                      finals: {type: object}
                      closed: {type: boolean}
                      grant: {type: object, nullable: true}
                      can_write: {type: boolean}
            400:
              description: class_id, subject_id or period_id missing or not a number
            404:
              description: no such section, or not one the user reads
        """
        args = [_int_or_none(request.args.get(k))
                for k in ("class_id", "subject_id", "period_id")]
        if None in args:
            return self.response_400(message="class_id, subject_id and period_id")
        data = build_grid(*args, _int_or_none(request.args.get("subgroup")),
                          current_scope(), clock.today())
        if data is None:
            return self.response_404()
        return jsonify(data)

    @expose("/cell", methods=["POST"])
    @protect()
    @safe
    def cell(self):
        """Save one cell: ``{lesson_id, student_id, marks: [{value, category, work_type}] |
        omitted, attendance: {code, minutes} | null | omitted, remark, base_version, op_id,
        reason}`` -> 200 ``{cell, replayed}`` | 409 ``{conflict, server}`` | 403 / 422.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [lesson_id, student_id]
                  properties:
                    lesson_id: {type: integer}
                    student_id: {type: integer}
                    marks:
                      type: array
                      description: the cell's marks (all of them); omitted leaves them
                      items:
                        type: object
                        properties:
                          value: {type: string}
                          category: {type: string, nullable: true}
                          work_type: {type: string, nullable: true}
                    attendance:
                      type: object
                      nullable: true
                      description: null clears it; omitted leaves it
                      properties:
                        code: {type: string}
                        minutes: {type: integer, nullable: true}
                    remark: {type: string, nullable: true}
                    base_version:
                      type: integer
                      nullable: true
                      description: the cell's version the client read (0 for a new cell)
                    op_id:
                      type: string
                      nullable: true
                      description: the client's id of this change; a repeat is replayed
                    reason:
                      type: string
                      nullable: true
                      description: why a closed cell is changed under a grant
          responses:
            200:
              description: the stored cell
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      cell: {$ref: '#/components/schemas/JournalCell'}
                      replayed: {type: boolean}
                      changed: {type: boolean}
            404:
              description: no such lesson, or not one the user reads
            409:
              description: the cell changed since ``base_version``; ``conflict`` is true
                and ``server`` holds the current cell
        """
        body = request.get_json(silent=True) or {}
        lesson = _readable_lesson(body.get("lesson_id"))
        if lesson is None:
            return self.response_404()
        kw = {}
        if "marks" in body:
            kw["marks"] = body.get("marks") or []
        if "attendance" in body:
            att = body.get("attendance") or {}
            kw["attendance"] = att.get("code") if isinstance(att, dict) else att
            kw["late_minutes"] = att.get("minutes") if isinstance(att, dict) else None
        if "remark" in body:
            kw["remark"] = body.get("remark")
        student_id = _int_or_none(body.get("student_id"))
        try:
            result = write.save_cell(
                current_scope(), lesson, student_id,
                base_version=_int_or_none(body.get("base_version")),
                op_id=(str(body["op_id"]) if body.get("op_id") else None),
                actor_person_id=_author_id(lesson), user_id=g.user.id,
                reason=body.get("reason"), **kw)
        except DomainError as err:
            return _error(err)
        return jsonify({"cell": result.cell, "replayed": result.replayed,
                        "changed": result.changed})

    @expose("/fill", methods=["POST"])
    @protect()
    @safe
    def fill(self):
        """Fill one typed value down a lesson's column: ``{lesson_id, value}``.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [lesson_id, value]
                  properties:
                    lesson_id: {type: integer}
                    value: {type: string, description: "a mark, marks or an attendance code"}
          responses:
            200:
              description: the cells written and how many were skipped
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      cells:
                        type: array
                        items: {$ref: '#/components/schemas/JournalCell'}
                      skipped: {type: integer}
            404:
              description: no such lesson, or not one the user reads
        """
        body = request.get_json(silent=True) or {}
        lesson = _readable_lesson(body.get("lesson_id"))
        if lesson is None:
            return self.response_404()
        try:
            result = write.fill_down(current_scope(), lesson, str(body.get("value") or ""),
                                     actor_person_id=_author_id(lesson), user_id=g.user.id)
        except DomainError as err:
            return _error(err)
        return jsonify(result)

    @expose("/lesson/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get_lesson(self, pk: int):
        """The lesson panel and the suggested topic of the plan.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: the lesson panel
              content:
                application/json:
                  schema:
                    allOf:
                    - $ref: '#/components/schemas/LessonPanel'
                    - type: object
                      properties:
                        suggested_topic:
                          type: object
                          nullable: true
                          properties: {id: {type: integer}, title: {type: string}}
                        writable: {type: boolean}
        """
        lesson = _readable_lesson(pk)
        if lesson is None:
            return self.response_404()
        data = panel.lesson_panel(lesson)
        topic = panel.suggest_topic(lesson)
        data["suggested_topic"] = ({"id": topic.id, "title": topic.title}
                                    if topic is not None else None)
        data["writable"] = journal_scope.can_write_marks(lesson, current_scope())
        return jsonify(data)

    @expose("/lesson/<int:pk>", methods=["POST"])
    @protect()
    @safe
    def post_lesson(self, pk: int):
        """Save the lesson panel: any of topic, plan_topic_id, homework, homework_due,
        homework_minutes, work_type, category, max_score; with base_version.
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  description: the fields to change; an omitted field is left as it is
                  properties:
                    topic: {type: string, nullable: true}
                    plan_topic_id: {type: integer, nullable: true}
                    homework: {type: string, nullable: true}
                    homework_due: {type: string, format: date, nullable: true}
                    homework_minutes: {type: integer, nullable: true}
                    work_type: {type: string, nullable: true}
                    category: {type: string, nullable: true}
                    max_score: {type: integer, nullable: true}
                    base_version: {type: integer, nullable: true}
          responses:
            200:
              description: the stored panel
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/LessonPanel'}
            409:
              description: the lesson changed since ``base_version``
        """
        lesson = _readable_lesson(pk)
        if lesson is None:
            return self.response_404()
        body = request.get_json(silent=True) or {}
        names = ("topic", "plan_topic_id", "homework", "homework_due", "homework_minutes",
                 "work_type", "category", "max_score")
        kw = {k: body[k] for k in names if k in body}
        try:
            data = panel.save_lesson_panel(
                current_scope(), lesson, base_version=_int_or_none(body.get("base_version")),
                **kw)
        except DomainError as err:
            return _error(err)
        return jsonify(data)


class _ReadOnly(ScopedModelRestApi):
    include_route_methods = {"get", "get_list", "info"}
    page_size = 100


class JournalLessonApi(_ReadOnly):
    """Lessons as the journal shows them (topic), for those who read their journal."""

    resource_name = "journal_lesson"
    datamodel = SQLAInterface(Lesson)
    base_filters = [["id", JournalLessonReadFilter, None]]
    list_columns = show_columns = ["id", "organization_id", "period_id", "date", "number",
                                   "class_id", "subgroup_id", "subject_id", "teacher_id",
                                   "substitute_teacher_id", "status", "topic",
                                   "plan_topic_id"]
    search_columns = ["period_id", "class_id", "subject_id", "date"]
    order_columns = ["date", "number", "id"]


class JournalMarkApi(_ReadOnly):
    """Marks: staff and teachers by their journal scope; pupils and parents their own."""

    resource_name = "journal_mark"
    datamodel = SQLAInterface(Mark)
    base_filters = [["id", JournalMarkReadFilter, None]]
    list_columns = show_columns = ["id", "lesson_id", "student_id", "position", "value",
                                   "max_score", "category", "work_type"]
    search_columns = ["lesson_id", "student_id"]
    order_columns = ["id", "lesson_id", "student_id"]


class JournalAttendanceApi(_ReadOnly):
    """Cells (attendance, lateness, remark, version) with the same scope as marks."""

    resource_name = "journal_attendance"
    datamodel = SQLAInterface(JournalCell)
    base_filters = [["id", JournalCellReadFilter, None]]
    list_columns = show_columns = ["id", "lesson_id", "student_id", "attendance",
                                   "late_minutes", "remark", "version"]
    search_columns = ["lesson_id", "student_id", "attendance"]
    order_columns = ["id", "lesson_id", "student_id"]


JOURNAL_APIS = [JournalApi, JournalLessonApi, JournalMarkApi, JournalAttendanceApi]
