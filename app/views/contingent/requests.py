"""Transfer requests between schools (records office): the list of the requests the user's
schools made or received, the receiving school's request form, and the decisions (accept,
refuse by the leaving school; withdraw by the requesting one), each through its command."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.i18n import format_date
from app.models.contingent import TRANSFER_REQUEST_STATUS_LABELS, Order, TransferRequestStatus
from app.security.contingent.scope import can_act_on_request
from app.security.scopes import current_scope
from app.services.contingent import orders, queries
from app.services.contingent import requests as requests_svc
from app.services.errors import DomainError, ScopeError
from app.views.base import form_error
from app.views.contingent.common import date_arg_form


class TransferRequestForm(DynamicForm):
    school = SelectField(_l("Receiving school"), coerce=int)
    national_id = StringField(_l("IIN / PIN"), [DataRequired()])
    last_name = StringField(_l("Last name"), [DataRequired()])
    arrival_date = DateField(_l("Arrival date"), [DataRequired()],
                             default=dt.date.today)
    note = StringField(_l("Note"), [Optional()])


class TransferRequestView(BaseView):
    route_base = "/contingent"
    default_view = "transfer_requests"

    @expose("/transfer_requests")
    @has_access
    def transfer_requests(self):
        """Requests this user's schools made (outgoing) or received (incoming), waiting
        ones first, with the actions the user may take."""
        scope = current_scope()
        rows = requests_svc.requests_of(scope)
        waiting = [r for r in rows if r.status == TransferRequestStatus.requested]
        deciders = {r.source_organization_id for r in waiting
                    if can_act_on_request(r, "accept", scope)}
        requesters = {r.organization_id for r in waiting
                      if can_act_on_request(r, "withdraw", scope)}
        return self.render_template(
            "contingent/transfer_requests.html", rows=rows, deciders=deciders,
            requesters=requesters, labels=TRANSFER_REQUEST_STATUS_LABELS,
            orders={org_id: orders.open_orders(org_id) for org_id in deciders},
            can_request=bool(queries.writable_schools(scope)), format_date=format_date,
            title=gettext("Transfer requests between schools"))

    @expose("/transfer_requests/new", methods=["GET", "POST"])
    @has_access
    def request_transfer(self):
        """The receiving school asks another school of the system for a pupil."""
        schools = queries.writable_schools(current_scope())
        if not schools:
            abort(403)
        form = TransferRequestForm(request.form if request.method == "POST" else None)
        form.school.choices = [(o.id, o.short_name) for o in schools]
        if request.method == "POST" and form.validate():
            target = next(o for o in schools if o.id == form.school.data)
            try:
                req = requests_svc.request_transfer(
                    current_scope(), target, form.national_id.data, form.last_name.data,
                    form.arrival_date.data, form.note.data)
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Request sent to %(school)s", school=req.source_organization
                              .short_name), "success")
                return redirect(url_for("TransferRequestView.transfer_requests"))
        return self.render_template(
            "records/form.html", fields=list(form),
            title=gettext("Ask another school for a pupil"),
            note=gettext("The pupil is found by the IIN/PIN and last name on the documents the "
                         "parents brought. The other school accepts the request with its "
                         "order (the pupil then appears in your pupils without a class) or "
                         "refuses it with a reason."),
            back=url_for("TransferRequestView.transfer_requests"))

    @expose("/transfer_requests/<int:req_id>/<string:action>", methods=["POST"])
    @has_access
    def decide_transfer_request(self, req_id: int, action: str):
        """accept / refuse (the leaving school's writers), withdraw (the requester's)."""
        scope = current_scope()
        req = requests_svc.readable_request(scope, req_id)
        if req is None or action not in ("accept", "refuse", "withdraw"):
            abort(404)
        try:
            if action == "accept":
                day = date_arg_form("date") or req.arrival_date
                order = db.session.get(Order, request.form.get("order", type=int) or 0)
                requests_svc.accept(scope, req, order, day)
                message = gettext("Transferred: %(pupil)s to %(school)s", pupil=req.person,
                                  school=req.organization.short_name)
            elif action == "refuse":
                requests_svc.refuse(scope, req, request.form.get("reason"))
                message = gettext("Request refused")
            else:
                requests_svc.withdraw(scope, req)
                message = gettext("Request withdrawn")
        except ScopeError:
            abort(403)
        except DomainError as err:
            flash(str(err), "danger")
        else:
            flash(message, "success")
        return redirect(url_for("TransferRequestView.transfer_requests"))
