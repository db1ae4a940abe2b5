"""REST resources of the contingent: orders (read, add, change; never deleted) and
movements (read; ``POST /api/v1/movement/perform`` runs a movement, ``/disband`` disbands a
class, ``/promotion`` shows and ``/promote`` performs the promotion of a year - through the
same services as the forms). Staff of the school and district staff read; the school's
writers change (an organisation the user does not read answers 404, one they only read 403)."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.api.base import ScopedModelRestApi
from app.extensions import db
from app.models.contingent import Movement, MovementKind, Order
from app.models.org import Organization
from app.models.people import Person
from app.models.study import AcademicYear, SchoolClass, StudyPeriod
from app.security.filters import OrgWriteFilter, StudyReadFilter
from app.security.scopes import can_staff_read_org, current_scope
from app.services.contingent import movements, orders, promotion
from app.services.errors import DomainError, ValidationError


class OrderApi(ScopedModelRestApi):
    resource_name = "order"
    datamodel = SQLAInterface(Order)
    related_lookups = {"organization": "writable_organization"}
    base_filters = [["organization_id", StudyReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    list_columns = show_columns = ["id", "organization_id", "number", "date", "kind", "summary",
                                   "scan_name", "annulled_on", "annul_reason"]
    add_columns = ["organization", "number", "date", "kind", "summary"]
    edit_columns = ["number", "date", "kind", "summary"]
    search_columns = ["organization_id", "number", "date", "kind"]
    order_columns = ["date", "number", "id"]
    exclude_route_methods = {"delete"}
    write_rule = orders.check_order


def _date(value, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("%(field)s: not a date (YYYY-MM-DD)", field=name), field=name,
                              code="not_a_date") from None


def _get(model, pk):
    try:
        return db.session.get(model, int(pk)) if pk not in (None, "") else None
    except (TypeError, ValueError):
        return None


class MovementApi(ScopedModelRestApi):
    """Movements: read; ``POST /perform`` with ``{"kind": ..., ...}`` performs one."""

    resource_name = "movement"
    datamodel = SQLAInterface(Movement)
    base_filters = [["organization_id", StudyReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    list_columns = show_columns = ["id", "organization_id", "person_id", "kind", "date",
                                   "from_class_id", "to_class_id", "order_id", "reason",
                                   "period_id", "other_organization_id"]
    search_columns = ["organization_id", "person_id", "kind", "date", "order_id"]
    order_columns = ["date", "id"]
    include_route_methods = {"get", "get_list", "info", "perform", "disband", "promotion",
                             "promote"}
    method_permission_name = {"perform": "post", "disband": "post", "promotion": "post",
                              "promote": "post"}

    def _run(self, body: dict) -> Movement:
        try:
            kind = MovementKind(body.get("kind"))
        except ValueError:
            raise ValidationError(_l("Kind: not a valid choice"), field="kind",
                                  code="kind") from None
        person = _get(Person, body.get("person_id"))
        order = _get(Order, body.get("order_id"))
        to_class = _get(SchoolClass, body.get("to_class_id"))
        day = _date(body.get("date"), "date")
        reason = body.get("reason")
        scope = current_scope()
        if kind in (MovementKind.enrolment, MovementKind.class_transfer):
            if to_class is None:
                raise ValidationError(_l("%(field)s is required", field=_l("Class")),
                                      field="to_class_id", code="required")
            fn = movements.enrol if kind == MovementKind.enrolment \
                else movements.transfer_class
            return fn(scope, person, to_class, day, order, reason)
        if kind in (MovementKind.exclusion, MovementKind.transfer_out):
            if order is None:
                raise ValidationError(_l("%(field)s is required", field=_l("Order")),
                                      field="order_id", code="required")
            if kind == MovementKind.exclusion:
                return movements.exclude(scope, order.organization, person, day, order,
                                         reason, _get(StudyPeriod, body.get("period_id")))
            return movements.transfer_out(scope, order.organization, person,
                                          _get(Organization, body.get("target_id")), day,
                                          order, reason)
        raise ValidationError(_l("Kind: disbanding and promotion are done on their pages"),
                              field="kind", code="kind_not_here")

    @expose("/perform", methods=["POST"])
    @protect()
    @safe
    def perform(self):
        """Perform a movement: ``{"kind": "enrolment" | "class_transfer" | "exclusion" |
        "transfer_out", "person_id", "date", "order_id", "to_class_id", "period_id",
        "target_id", "reason"}``.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [kind]
                  properties:
                    kind:
                      type: string
                      enum: [enrolment, class_transfer, exclusion, transfer_out]
                    person_id: {type: integer}
                    date: {type: string, format: date}
                    order_id: {type: integer, nullable: true}
                    to_class_id:
                      type: integer
                      description: enrolment and class transfer
                    period_id:
                      type: integer
                      nullable: true
                      description: exclusion
                    target_id:
                      type: integer
                      nullable: true
                      description: transfer out, the receiving organisation
                    reason: {type: string, nullable: true}
          responses:
            201:
              description: the movement
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      kind: {type: string}
            403: {description: not the school's writer}
            422: {description: refused by a rule}
        """
        body = request.get_json(silent=True) or {}
        try:
            mv = self._run(body)
        except DomainError as err:
            return self._domain_error(err)
        return self.response(201, id=mv.id, kind=mv.kind.value)

    @staticmethod
    def _readable(model, pk, field: str):
        """The row of an organisation the user reads as staff: unknown or unread -> 404 (as
        the pages); whether the user may change it is the command's rule (403)."""
        row = _get(model, pk)
        if row is None or not can_staff_read_org(row.organization_id):
            raise _NotFound(field)
        return row

    def _answer(self, work):
        try:
            status, body = work()
        except _NotFound as missing:
            return self.response(404, message=str(_l("Not found")), field=missing.field)
        except DomainError as err:  # the command has rolled its unit of work back
            return self._domain_error(err)
        return self.response(status, **body)

    @expose("/disband", methods=["POST"])
    @protect()
    @safe
    def disband(self):
        """Disband a class, all or nothing: ``{"class_id", "date", "order_id", "reason",
        "targets": {"<person id>": <class id>, ...}}`` - every pupil of the class needs a
        class of the same school and year.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [class_id, date]
                  properties:
                    class_id: {type: integer}
                    date: {type: string, format: date}
                    order_id: {type: integer, nullable: true}
                    reason: {type: string, nullable: true}
                    targets:
                      type: object
                      description: pupil's person id -> the class they move to
                      additionalProperties: {type: integer}
          responses:
            201:
              description: the movements
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      moved: {type: integer}
                      movements: {type: array, items: {type: integer}}
            403: {description: not the school's writer}
            404: {description: no such class; ``field`` names it}
            422: {description: refused by a rule (the field names the pupil)}
        """
        body = request.get_json(silent=True) or {}

        def work():
            cls = self._readable(SchoolClass, body.get("class_id"), "class_id")
            targets = body.get("targets") or {}
            if not isinstance(targets, dict):
                raise ValidationError(_l("Targets: give a class for every pupil"),
                                      field="targets", code="targets")
            chosen = {}
            for e in movements.class_pupils(cls):
                target = _get(SchoolClass, targets.get(str(e.person_id)))
                chosen[e.person_id] = target
            day = _date(body.get("date"), "date")
            if day is None:
                raise ValidationError(_l("%(field)s is required", field=_l("Date")),
                                      field="date", code="required")
            moved = movements.disband(current_scope(), cls, chosen, day,
                                      _get(Order, body.get("order_id")), body.get("reason"))
            return 201, {"moved": len(moved), "movements": [m.id for m in moved]}

        return self._answer(work)

    @expose("/promotion", methods=["GET"])
    @protect()
    @safe
    def promotion(self):
        """What the promotion of ``?year_id=`` would do, changing nothing: per class of the
        year, the target class (or graduation), the pupils who move and those already done.
        For the school's writers (who perform it).
        ---
        get:
          parameters:
          - {in: query, name: year_id, required: true, schema: {type: integer}}
          responses:
            200:
              description: the plan
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      year_id: {type: integer}
                      next_year_id: {type: integer}
                      final_parallel: {type: integer}
                      pending: {type: integer}
                      classes:
                        type: array
                        items:
                          type: object
                          properties:
                            class_id: {type: integer}
                            name: {type: string}
                            target_class_id: {type: integer, nullable: true}
                            target_name: {type: string, nullable: true}
                            graduates: {type: boolean}
                            pupils: {type: array, items: {type: integer}}
                            done: {type: array, items: {type: integer}}
            403: {description: not the school's writer}
            404: {description: no such year; ``field`` names it}
            422: {description: no next academic year}
        """
        def work():
            year = self._readable(AcademicYear, request.args.get("year_id"), "year_id")
            movements.check_contingent_writer(current_scope(), year.organization_id)
            plan = promotion.promotion_plan(year)
            return 200, {"year_id": year.id, "next_year_id": plan.next_year.id,
                         "final_parallel": plan.final, "pending": plan.pending,
                         "classes": [{"class_id": r.source.id, "name": str(r.source),
                                      "target_class_id": r.target.id if r.target else None,
                                      "target_name": r.target_name, "graduates": r.graduates,
                                      "pupils": [p.id for p in r.pupils],
                                      "done": [p.id for p in r.done]} for r in plan.rows]}

        return self._answer(work)

    @expose("/promote", methods=["POST"])
    @protect()
    @safe
    def promote(self):
        """Promote every class of ``{"year_id", "order_id"}`` as ``/promotion`` shows it, in
        one transaction; running it again changes nothing.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [year_id]
                  properties:
                    year_id: {type: integer}
                    order_id: {type: integer, nullable: true}
          responses:
            201:
              description: how many pupils were promoted and graduated, and how many classes
                were created
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      promoted: {type: integer}
                      graduated: {type: integer}
                      classes_created: {type: integer}
            403: {description: not the school's writer}
            404: {description: no such year; ``field`` names it}
            422: {description: refused by a rule}
        """
        body = request.get_json(silent=True) or {}

        def work():
            year = self._readable(AcademicYear, body.get("year_id"), "year_id")
            promoted, graduated, created = promotion.promote(
                current_scope(), year, _get(Order, body.get("order_id")))
            return 201, {"promoted": promoted, "graduated": graduated,
                         "classes_created": created}

        return self._answer(work)


class _NotFound(Exception):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


CONTINGENT_APIS = (OrderApi, MovementApi)
