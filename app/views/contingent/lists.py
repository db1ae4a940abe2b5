"""The orders and movements lists (generated views) and the two pages of one order: its
annulment and its scan. Orders are added and edited by the school's writers under the
service's rule (``orders.check_order``), never deleted but annulled with a reason."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import FileField, StringField
from wtforms.validators import DataRequired, Optional

from app.models.contingent import (
    MOVEMENT_KIND_LABELS,
    ORDER_KIND_LABELS,
    Movement,
    Order,
    OrderKind,
)
from app.security.filters import OrgWriteFilter, StudyReadFilter
from app.security.scopes import current_scope
from app.services.contingent import orders
from app.services.errors import DomainError, ScopeError
from app.views.base import ScopedModelView, form_error
from app.views.contingent.common import LABELS
from app.views.fields import enum_field, label_of
from app.views.widgets import ScopedAjaxField


def _order_kind_field():
    """The optional kind of an order: an empty first choice, else the enum member."""
    field = enum_field(_l("Kind"), OrderKind, ORDER_KIND_LABELS, validators=[Optional()])
    field.kwargs["choices"] = [("", "")] + field.kwargs["choices"]
    return field


class OrderView(ScopedModelView):
    """Orders of the school: added and edited by the school's writers, read by the
    administration and district staff; never deleted (annulled with a reason)."""

    datamodel = SQLAInterface(Order)
    route_base = "/orders"
    list_title = _l("Orders")
    show_title = _l("Order")
    add_title = _l("Add order")
    edit_title = _l("Edit order")
    label_columns = LABELS
    list_columns = ["number", "date", "kind", "summary", "organization", "scan_name",
                    "annulled_on"]
    show_columns = ["organization", "number", "date", "kind", "summary", "scan_name",
                    "annulled_on", "annul_reason"]
    add_columns = ["organization", "number", "date", "kind", "summary", "scan_file"]
    edit_columns = ["number", "date", "kind", "summary", "scan_file"]
    search_columns = ["number", "date", "kind", "summary"]
    order_columns = ["number", "date"]
    base_order = ("date", "desc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    base_filters = [["organization_id", StudyReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    formatters_columns = {"kind": label_of(ORDER_KIND_LABELS)}
    add_form_extra_fields = {
        "organization": ScopedAjaxField(_l("Organization"), [DataRequired()],
                                        lookup="writable_organization"),
        "kind": _order_kind_field(),
        "scan_file": FileField(_l("Scan of the order"), [Optional()],
                               description=_l("PDF, JPEG or PNG, at most 5 MB"))}
    edit_form_extra_fields = {k: v for k, v in add_form_extra_fields.items()
                              if k != "organization"}
    write_rule = orders.check_order

    def _attach_upload(self, item) -> None:
        """The scan uploaded with the form, if any, through its command."""
        upload = request.files.get("scan_file")
        if upload is not None and upload.filename:
            orders.set_scan(current_scope(), item, upload.read(), upload.filename,
                            upload.mimetype)

    def pre_add(self, item):
        super().pre_add(item)
        self._attach_upload(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._attach_upload(item)

    @action("annul", _l("Annul"), "", "fa-ban", multiple=False)
    def annul(self, item):
        return redirect(url_for("OrderActionView.annul_order", order_id=item.id))

    @action("scan", _l("Download the scan"), "", "fa-download", multiple=False)
    def download_scan(self, item):
        return redirect(url_for("OrderActionView.scan", order_id=item.id))


class MovementView(ScopedModelView):
    """Every movement of the schools the user reads as staff; written only by the forms."""

    datamodel = SQLAInterface(Movement)
    route_base = "/movements"
    list_title = _l("Movements")
    show_title = _l("Movement")
    label_columns = LABELS
    list_columns = ["date", "person", "kind", "from_class", "to_class", "other_organization",
                    "order", "reason"]
    show_columns = ["organization", "date", "person", "kind", "from_class", "to_class",
                    "other_organization", "order", "reason", "period"]
    search_columns = ["kind", "date", "reason", "order"]
    order_columns = ["date", "kind"]
    base_order = ("date", "desc")
    base_permissions = ["can_list", "can_show"]
    base_filters = [["organization_id", StudyReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    search_form_query_rel_fields = {"order": [["organization_id", StudyReadFilter, None]]}
    formatters_columns = {"kind": label_of(MOVEMENT_KIND_LABELS)}


class AnnulForm(DynamicForm):
    reason = StringField(_l("Reason for annulment"), [DataRequired()])


class OrderActionView(BaseView):
    """One order's annulment (the school's writers) and its scan (staff who read it)."""

    route_base = "/contingent"

    def _order(self, order_id: int, with_scan: bool = False) -> Order:
        return orders.staff_order(current_scope(), order_id, with_scan) or abort(404)

    @expose("/orders/<int:order_id>/annul", methods=["GET", "POST"])
    @has_access
    def annul_order(self, order_id: int):
        order = self._order(order_id)
        try:
            orders.check_order_writer(current_scope(), order.organization_id)
        except ScopeError:
            abort(403)
        form = AnnulForm(request.form if request.method == "POST" else None)
        back = url_for("OrderView.list")
        if request.method == "POST" and form.validate():
            try:
                orders.annul_order(current_scope(), order, form.reason.data)
            except ScopeError:
                abort(403)
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Annulled"), "success")
                return redirect(back)
        return self.render_template("records/form.html", fields=list(form),
                                    title=gettext("Annul the order"), subtitle=str(order),
                                    back=back)

    @expose("/orders/<int:order_id>/scan")
    @has_access
    def scan(self, order_id: int):
        order = self._order(order_id, with_scan=True)
        if order.scan is None:
            abort(404)
        name = (order.scan_name or "order").replace('"', "")
        return Response(order.scan, mimetype=order.scan_mime or "application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
