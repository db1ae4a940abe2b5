"""REST resources of the contingent: orders (read, add, change; never deleted) and
movements (read; ``POST /api/v1/movement/perform`` runs a movement through the same service
as the forms). Staff of the school and district staff read; the school's writers change."""
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
from app.models.study import SchoolClass, StudyPeriod
from app.security.filters import OrgWriteFilter, StudyReadFilter
from app.security.scopes import can_write_org
from app.services import contingent as svc
from app.services.errors import DomainError, ScopeError, ValidationError


class OrderApi(ScopedModelRestApi):
    resource_name = "order"
    datamodel = SQLAInterface(Order)
    base_filters = [["organization_id", StudyReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    list_columns = show_columns = ["id", "organization_id", "number", "date", "kind", "summary",
                                   "scan_name", "annulled_on", "annul_reason"]
    add_columns = ["organization", "number", "date", "kind", "summary"]
    edit_columns = ["number", "date", "kind", "summary"]
    search_columns = ["organization_id", "number", "date", "kind"]
    order_columns = ["date", "number", "id"]
    exclude_route_methods = {"delete"}

    def check_write(self, item) -> None:
        org = item.organization
        org_id = org.id if org is not None else item.organization_id
        if not can_write_org(org_id):
            raise ScopeError(_l("You may not change the orders of this organization"),
                             code="scope")
        svc.check_order(item)


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
    include_route_methods = {"get", "get_list", "info", "perform"}
    method_permission_name = {"perform": "post"}

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
        if kind in (MovementKind.enrolment, MovementKind.class_transfer):
            if to_class is None:
                raise ValidationError(_l("%(field)s is required", field=_l("Class")),
                                      field="to_class_id", code="required")
            self._writer(to_class.organization_id)
            fn = svc.enrol if kind == MovementKind.enrolment else svc.transfer_class
            return fn(person, to_class, day, order, reason)
        if kind in (MovementKind.exclusion, MovementKind.transfer_out):
            if order is None:
                raise ValidationError(_l("%(field)s is required", field=_l("Order")),
                                      field="order_id", code="required")
            self._writer(order.organization_id)
            if kind == MovementKind.exclusion:
                return svc.exclude(order.organization, person, day, order, reason,
                                   _get(StudyPeriod, body.get("period_id")))
            return svc.transfer_out(order.organization, person,
                                    _get(Organization, body.get("target_id")), day, order,
                                    reason)
        raise ValidationError(_l("Kind: disbanding and promotion are done on their pages"),
                              field="kind", code="kind_not_here")

    @staticmethod
    def _writer(org_id: int) -> None:
        if not can_write_org(org_id):
            raise ScopeError(_l("You may not change the contingent of this organization"),
                             code="scope")

    @expose("/perform", methods=["POST"])
    @protect()
    @safe
    def perform(self):
        """Perform a movement: ``{"kind": "enrolment" | "class_transfer" | "exclusion" |
        "transfer_out", "person_id", "date", "order_id", "to_class_id", "period_id",
        "target_id", "reason"}``.
        ---
        post:
          responses:
            201: {description: the movement}
            403: {description: not the school's writer}
            422: {description: refused by a rule}
        """
        body = request.get_json(silent=True) or {}
        try:
            mv = self._run(body)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            return self._domain_error(err)
        return self.response(201, id=mv.id, kind=mv.kind.value)


CONTINGENT_APIS = (OrderApi, MovementApi)
