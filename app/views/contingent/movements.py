"""The movement forms of the contingent (seed 004 section 2): the hub page, pupils without a
class, enrolment, transfer to another class, exclusion, transfer to another school,
disbanding a class and the promotion to the next year. Each form loads its input and calls
the movement command with the user's scope; a refused movement changes nothing and shows
the rule (a user who does not write in the school gets 403)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.models.contingent import Order
from app.models.people import Person
from app.models.study import AcademicYear, SchoolClass
from app.security.lookups import lookup_allows
from app.security.scopes import can_staff_read_org, can_write_org, current_scope
from app.services.contingent import movements, orders, promotion, queries, reports
from app.services.errors import DomainError, ScopeError, ValidationError
from app.views.base import form_error
from app.views.contingent.common import org_param, writable_or_403
from app.views.widgets import ScopedAjaxField


def _pupil_field(validators=None):
    return ScopedAjaxField(_l("Pupil"), validators or [DataRequired()], lookup="school_student")


def _order_field():
    return ScopedAjaxField(_l("Order"), [DataRequired()], lookup="contingent_order",
                           description=_l("Add the order first in Contingent - Orders"))


def _date_field(label=None):
    return DateField(label or _l("Date"), [DataRequired()], default=dt.date.today)


class EnrolForm(DynamicForm):
    person = _pupil_field()
    to_class = ScopedAjaxField(_l("Class"), [DataRequired()], lookup="contingent_class")
    date = _date_field()
    order = _order_field()
    reason = StringField(_l("Note"), [Optional()])


class TransferForm(EnrolForm):
    to_class = ScopedAjaxField(_l("New class"), [DataRequired()], lookup="contingent_class")
    reason = StringField(_l("Reason"), [Optional()])


class ExcludeForm(DynamicForm):
    person = _pupil_field()
    date = _date_field(_l("Date of departure"))
    order = _order_field()
    reason = StringField(_l("Reason"), [DataRequired()])
    period = ScopedAjaxField(_l("Quarter"), [DataRequired()], lookup="contingent_period")


class TransferOutForm(DynamicForm):
    person = _pupil_field()
    target = ScopedAjaxField(_l("Target school"), [DataRequired()], lookup="transfer_school")
    date = _date_field(_l("Date of departure"))
    order = _order_field()
    reason = StringField(_l("Reason"), [Optional()])


class MovementFormsView(BaseView):
    route_base = "/contingent"
    default_view = "index"

    # -- hub and pupils without a class ----------------------------------------------------

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        return self.render_template("contingent/index.html",
                                    years=queries.writable_years(scope),
                                    classes=queries.writable_classes(scope),
                                    schools=queries.staff_schools(scope),
                                    title=gettext("Contingent"))

    @expose("/without_class")
    @has_access
    def without_class(self):
        org = org_param()
        pupils = movements.pupils_without_class(org.id) if org is not None else []
        return self.render_template("contingent/without_class.html", org=org, pupils=pupils,
                                    schools=queries.staff_schools(current_scope()),
                                    can_write=org is not None and can_write_org(org.id),
                                    cell=reports.cell, title=gettext("Pupils without a class"))

    # -- one-pupil movements ---------------------------------------------------------------

    def _movement(self, form_cls, title: str, run):
        form = form_cls(request.form if request.method == "POST" else None)
        if request.method == "GET" and request.args.get("person", type=int) and \
                hasattr(form, "person"):
            pid = request.args.get("person", type=int)
            if lookup_allows("school_student", pid):
                form.person.data = db.session.get(Person, pid)
        if request.method == "POST" and form.validate():
            try:
                mv = run(form)
            except ScopeError:
                abort(403)
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Saved: %(what)s", what=mv), "success")
                return redirect(url_for("MovementView.list"))
        return self.render_template("records/form.html", fields=list(form), title=title,
                                    back=url_for("MovementFormsView.index"))

    @expose("/enrol", methods=["GET", "POST"])
    @has_access
    def enrol(self):
        return self._movement(
            EnrolForm, gettext("Enrol a pupil into a class"),
            lambda f: movements.enrol(current_scope(), f.person.data, f.to_class.data,
                                      f.date.data, f.order.data, f.reason.data))

    @expose("/transfer", methods=["GET", "POST"])
    @has_access
    def transfer(self):
        return self._movement(
            TransferForm, gettext("Transfer to another class"),
            lambda f: movements.transfer_class(current_scope(), f.person.data,
                                               f.to_class.data, f.date.data, f.order.data,
                                               f.reason.data))

    @expose("/exclude", methods=["GET", "POST"])
    @has_access
    def exclude(self):
        return self._movement(
            ExcludeForm, gettext("Exclusion"),
            lambda f: movements.exclude(current_scope(), f.order.data.organization,
                                        f.person.data, f.date.data, f.order.data,
                                        f.reason.data, f.period.data))

    @expose("/transfer_out", methods=["GET", "POST"])
    @has_access
    def transfer_out(self):
        return self._movement(
            TransferOutForm, gettext("Transfer to another school"),
            lambda f: movements.transfer_out(current_scope(), f.order.data.organization,
                                             f.person.data, f.target.data, f.date.data,
                                             f.order.data, f.reason.data))

    # -- disband a class -------------------------------------------------------------------

    @expose("/disband/<int:class_id>", methods=["GET", "POST"])
    @has_access
    def disband(self, class_id: int):
        cls = db.session.get(SchoolClass, class_id) or abort(404)
        if not can_staff_read_org(cls.organization_id):
            abort(404)
        writable_or_403(cls.organization_id)
        pupils = movements.class_pupils(cls)
        targets = queries.other_classes_of_year(cls)
        errors: dict[str, str] = {}
        values = request.form if request.method == "POST" else {}
        if request.method == "POST":
            by_id = {c.id: c for c in targets}
            chosen = {e.person_id: by_id.get(values.get(f"class_{e.person_id}", type=int))
                      for e in pupils}
            try:
                day = dt.date.fromisoformat(values.get("date") or "")
            except ValueError:
                day = None
            try:
                order = db.session.get(Order, values.get("order", type=int) or 0)
                if day is None:
                    raise ValidationError(_l("%(field)s is required", field=_l("Date")),
                                          field="date", code="required")
                n = len(movements.disband(current_scope(), cls, chosen, day, order,
                                          values.get("reason")))
            except DomainError as err:
                errors[err.field or "_"] = str(err)
                flash(str(err), "danger")
                pupils = movements.class_pupils(cls)
            else:
                flash(gettext("Pupils moved: %(n)s", n=n), "success")
                return redirect(url_for("MovementView.list"))
        return self.render_template(
            "contingent/disband.html", cls=cls, pupils=pupils, targets=targets,
            orders=orders.open_orders(cls.organization_id), errors=errors, values=values,
            today=dt.date.today().isoformat(),
            title=gettext("Disband the class %(cls)s", cls=cls))

    # -- promotion -------------------------------------------------------------------------

    @expose("/promote/<int:year_id>", methods=["GET", "POST"])
    @has_access
    def promote(self, year_id: int):
        year = db.session.get(AcademicYear, year_id) or abort(404)
        if not can_staff_read_org(year.organization_id):
            abort(404)
        writable_or_403(year.organization_id)
        title = gettext("Promotion of all classes of %(year)s", year=year.name)
        try:
            plan = promotion.promotion_plan(year)
        except DomainError as err:
            flash(str(err), "danger")
            return self.render_template("contingent/promote.html", plan=None, year=year,
                                        orders=[], title=title)
        if request.method == "POST" and request.form.get("confirm") == "1":
            order = db.session.get(Order, request.form.get("order", type=int) or 0)
            try:
                promoted, graduated, created = promotion.promote(current_scope(), year, order)
            except DomainError as err:
                flash(str(err), "danger")
                plan = promotion.promotion_plan(year)
            else:
                flash(gettext("Promoted: %(p)s, graduated: %(g)s, classes created: %(c)s",
                              p=promoted, g=graduated, c=created), "success")
                return redirect(url_for("MovementFormsView.promote", year_id=year.id))
        return self.render_template("contingent/promote.html", plan=plan, year=year,
                                    orders=orders.open_orders(year.organization_id),
                                    title=title)
