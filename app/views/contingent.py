"""Contingent pages (seed 004 section 2): orders (list, add, edit, annul, scan), movements
(read-only list), pupils without a class, the movement forms (enrol, transfer to another
class, exclusion, transfer to another school, disband a class, promotion to the next year)
and the two books (screen, XLSX, print). The forms call ``app.services.contingent`` and
commit once; a refused movement changes nothing."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import undefer
from wtforms import DateField, FileField, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.i18n import format_date
from app.models.contingent import (
    MOVEMENT_KIND_LABELS,
    ORDER_KIND_LABELS,
    TRANSFER_REQUEST_STATUS_LABELS,
    Movement,
    Order,
    OrderKind,
    TransferRequest,
    TransferRequestStatus,
)
from app.models.org import Organization, OrgKind
from app.models.study import AcademicYear, SchoolClass
from app.security.contingent_scope import can_act_on_request, transfer_request_read_clause
from app.security.filters import OrgWriteFilter, StudyReadFilter
from app.security.printing import print_stamp
from app.security.scopes import (
    can_staff_read_org,
    can_write_org,
    current_scope,
    org_clause,
    staff_read_clause,
)
from app.services import contingent as svc
from app.services import contingent_reports as rep
from app.services import contingent_requests as requests_svc
from app.services.errors import DomainError, ScopeError
from app.views.base import ScopedModelView, form_error, xlsx_response
from app.views.fields import enum_field, label_of
from app.views.widgets import ScopedAjaxField

LABELS = {
    "organization": _l("Organization"), "number": _l("Order number"), "date": _l("Date"),
    "summary": _l("Summary"), "kind": _l("Kind"), "scan_name": _l("Scan"),
    "scan_file": _l("Scan of the order"), "annulled_on": _l("Annulled on"),
    "annul_reason": _l("Reason for annulment"), "person": _l("Pupil"),
    "from_class": _l("From class"), "to_class": _l("To class"), "order": _l("Order"),
    "reason": _l("Reason"), "period": _l("Quarter"),
    "other_organization": _l("Other school")}




# -- generated lists ------------------------------------------------------------------------

def _order_kind_field():
    """The optional kind of an order: an empty first choice, else the enum member."""
    field = enum_field(_l("Kind"), OrderKind, ORDER_KIND_LABELS, validators=[Optional()])
    field.kwargs["choices"] = [("", "")] + field.kwargs["choices"]
    return field


def _order_org(item) -> int | None:
    org = getattr(item, "organization", None)
    return org.id if org is not None else item.organization_id


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

    def check_write(self, item) -> None:
        if not can_write_org(_order_org(item)):
            raise ScopeError(_l("You may not change the orders of this organization"),
                             code="scope")
        svc.check_order(item)
        upload = request.files.get("scan_file")
        if upload is not None and upload.filename:
            svc.set_scan(item, upload.read(), upload.filename, upload.mimetype)

    @action("annul", _l("Annul"), "", "fa-ban", multiple=False)
    def annul(self, item):
        return redirect(url_for("ContingentView.annul_order", order_id=item.id))

    @action("scan", _l("Download the scan"), "", "fa-download", multiple=False)
    def download_scan(self, item):
        return redirect(url_for("ContingentView.scan", order_id=item.id))


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


# -- movement forms -------------------------------------------------------------------------

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


class TransferRequestForm(DynamicForm):
    school = SelectField(_l("Receiving school"), coerce=int)
    national_id = StringField(_l("IIN / PIN"), [DataRequired()])
    last_name = StringField(_l("Last name"), [DataRequired()])
    arrival_date = _date_field(_l("Arrival date"))
    note = StringField(_l("Note"), [Optional()])


class AnnulForm(DynamicForm):
    reason = StringField(_l("Reason for annulment"), [DataRequired()])


def _writable_or_403(org_id: int | None) -> None:
    if org_id is None or not can_write_org(org_id):
        abort(403)


def _org_param() -> Organization | None:
    """The school of a report or list: ``?org=``, else the only one the user reads as staff;
    404 when the user does not read it as staff."""
    raw = request.args.get("org", type=int)
    if raw is None:
        orgs = _staff_schools()
        return orgs[0] if len(orgs) == 1 else None
    if not can_staff_read_org(raw):
        abort(404)
    # a query, not the identity map: the page's query count must not depend on what the
    # session happens to hold
    return db.session.scalars(select(Organization).where(Organization.id == raw)).first() \
        or abort(404)


def _staff_schools() -> list[Organization]:
    return list(db.session.scalars(
        select(Organization).where(staff_read_clause(Organization.id, current_scope()),
                                   Organization.kind == OrgKind.school)
        .order_by(Organization.short_name).limit(500)))


def _writable_schools() -> list[Organization]:
    return list(db.session.scalars(
        select(Organization).where(org_clause(Organization.id, current_scope(), True),
                                   Organization.kind == OrgKind.school)
        .order_by(Organization.short_name).limit(500)))


def _date_arg_form(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(name) or "")
    except ValueError:
        return None


def _date_arg(name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get(name) or "") or default
    except ValueError:
        return default


class ContingentView(BaseView):
    route_base = "/contingent"
    default_view = "index"

    # -- hub and pupils without a class ----------------------------------------------------

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        years = db.session.scalars(
            select(AcademicYear).where(org_clause(AcademicYear.organization_id, scope, True))
            .order_by(AcademicYear.starts_on.desc()).limit(100)).all()
        classes = db.session.scalars(
            select(SchoolClass).where(org_clause(SchoolClass.organization_id, scope, True))
            .order_by(SchoolClass.year_id.desc(), SchoolClass.parallel, SchoolClass.letter_ru)
            .limit(500)).all()
        return self.render_template("contingent/index.html", years=years, classes=classes,
                                    schools=_staff_schools(), title=gettext("Contingent"))

    @expose("/without_class")
    @has_access
    def without_class(self):
        org = _org_param()
        pupils = svc.pupils_without_class(org.id) if org is not None else []
        return self.render_template("contingent/without_class.html", org=org, pupils=pupils,
                                    schools=_staff_schools(),
                                    can_write=org is not None and can_write_org(org.id),
                                    cell=rep._cell, title=gettext("Pupils without a class"))

    # -- one-pupil movements ---------------------------------------------------------------

    def _movement(self, form_cls, title: str, run, org_of):
        form = form_cls(request.form if request.method == "POST" else None)
        if request.method == "GET" and request.args.get("person", type=int) and \
                hasattr(form, "person"):
            from app.security.lookups import lookup_allows

            pid = request.args.get("person", type=int)
            if lookup_allows("school_student", pid):
                from app.models.people import Person

                form.person.data = db.session.get(Person, pid)
        if request.method == "POST" and form.validate():
            _writable_or_403(org_of(form))
            try:
                mv = run(form)
                db.session.commit()
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Saved: %(what)s", what=mv), "success")
                return redirect(url_for("MovementView.list"))
        return self.render_template("records/form.html", fields=list(form), title=title,
                                    back=url_for("ContingentView.index"))

    @expose("/enrol", methods=["GET", "POST"])
    @has_access
    def enrol(self):
        return self._movement(
            EnrolForm, gettext("Enrol a pupil into a class"),
            lambda f: svc.enrol(f.person.data, f.to_class.data, f.date.data, f.order.data,
                                f.reason.data),
            lambda f: f.to_class.data.organization_id)

    @expose("/transfer", methods=["GET", "POST"])
    @has_access
    def transfer(self):
        return self._movement(
            TransferForm, gettext("Transfer to another class"),
            lambda f: svc.transfer_class(f.person.data, f.to_class.data, f.date.data,
                                         f.order.data, f.reason.data),
            lambda f: f.to_class.data.organization_id)

    @expose("/exclude", methods=["GET", "POST"])
    @has_access
    def exclude(self):
        return self._movement(
            ExcludeForm, gettext("Exclusion"),
            lambda f: svc.exclude(f.order.data.organization, f.person.data, f.date.data,
                                  f.order.data, f.reason.data, f.period.data),
            lambda f: f.order.data.organization_id)

    @expose("/transfer_out", methods=["GET", "POST"])
    @has_access
    def transfer_out(self):
        return self._movement(
            TransferOutForm, gettext("Transfer to another school"),
            lambda f: svc.transfer_out(f.order.data.organization, f.person.data,
                                       f.target.data, f.date.data, f.order.data,
                                       f.reason.data),
            lambda f: f.order.data.organization_id)

    # -- disband a class -------------------------------------------------------------------

    def _orders_of(self, org_id: int) -> list[Order]:
        return list(db.session.scalars(select(Order).where(
            Order.organization_id == org_id, Order.annulled_on.is_(None))
            .order_by(Order.date.desc(), Order.id.desc()).limit(200)))

    @expose("/disband/<int:class_id>", methods=["GET", "POST"])
    @has_access
    def disband(self, class_id: int):
        cls = db.session.get(SchoolClass, class_id) or abort(404)
        if not can_staff_read_org(cls.organization_id):
            abort(404)
        _writable_or_403(cls.organization_id)
        pupils = svc.class_pupils(cls)
        targets = list(db.session.scalars(select(SchoolClass).where(
            SchoolClass.year_id == cls.year_id, SchoolClass.id != cls.id)
            .order_by(SchoolClass.parallel, SchoolClass.letter_ru)))
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
                    from app.services.errors import ValidationError

                    raise ValidationError(_l("%(field)s is required", field=_l("Date")),
                                          field="date", code="required")
                n = len(svc.disband(cls, chosen, day, order, values.get("reason")))
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                errors[err.field or "_"] = str(err)
                flash(str(err), "danger")
                pupils = svc.class_pupils(cls)
            else:
                flash(gettext("Pupils moved: %(n)s", n=n), "success")
                return redirect(url_for("MovementView.list"))
        return self.render_template(
            "contingent/disband.html", cls=cls, pupils=pupils, targets=targets,
            orders=self._orders_of(cls.organization_id), errors=errors, values=values,
            today=dt.date.today().isoformat(),
            title=gettext("Disband the class %(cls)s", cls=cls))

    # -- promotion -------------------------------------------------------------------------

    @expose("/promote/<int:year_id>", methods=["GET", "POST"])
    @has_access
    def promote(self, year_id: int):
        year = db.session.get(AcademicYear, year_id) or abort(404)
        if not can_staff_read_org(year.organization_id):
            abort(404)
        _writable_or_403(year.organization_id)
        title = gettext("Promotion of all classes of %(year)s", year=year.name)
        try:
            plan = svc.promotion_plan(year)
        except DomainError as err:
            flash(str(err), "danger")
            return self.render_template("contingent/promote.html", plan=None, year=year,
                                        orders=[], title=title)
        if request.method == "POST" and request.form.get("confirm") == "1":
            order = db.session.get(Order, request.form.get("order", type=int) or 0)
            try:
                promoted, graduated, created = svc.promote(year, order)
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                flash(str(err), "danger")
                plan = svc.promotion_plan(year)
            else:
                flash(gettext("Promoted: %(p)s, graduated: %(g)s, classes created: %(c)s",
                              p=promoted, g=graduated, c=created), "success")
                return redirect(url_for("ContingentView.promote", year_id=year.id))
        return self.render_template("contingent/promote.html", plan=plan, year=year,
                                    orders=self._orders_of(year.organization_id),
                                    title=title)

    # -- transfer requests from the receiving school --------------------------------------

    @expose("/transfer_requests")
    @has_access
    def transfer_requests(self):
        """Requests this user's schools made (outgoing) or received (incoming), waiting
        ones first, with the actions the user may take."""
        scope = current_scope()
        rows = db.session.scalars(
            select(TransferRequest).where(transfer_request_read_clause(scope))
            .order_by(case((TransferRequest.status == TransferRequestStatus.requested, 0),
                           else_=1), TransferRequest.created_at.desc(),
                      TransferRequest.id.desc()).limit(500)).all()
        waiting = [r for r in rows if r.status == TransferRequestStatus.requested]
        deciders = {r.source_organization_id for r in waiting
                    if can_act_on_request(r, "accept")}
        requesters = {r.organization_id for r in waiting if can_act_on_request(r, "withdraw")}
        return self.render_template(
            "contingent/transfer_requests.html", rows=rows, deciders=deciders,
            requesters=requesters, labels=TRANSFER_REQUEST_STATUS_LABELS,
            orders={org_id: self._orders_of(org_id) for org_id in deciders},
            can_request=bool(_writable_schools()), format_date=format_date,
            title=gettext("Transfer requests between schools"))

    @expose("/transfer_requests/new", methods=["GET", "POST"])
    @has_access
    def request_transfer(self):
        """The receiving school asks another school of the system for a pupil."""
        schools = _writable_schools()
        if not schools:
            abort(403)
        form = TransferRequestForm(request.form if request.method == "POST" else None)
        form.school.choices = [(o.id, o.short_name) for o in schools]
        if request.method == "POST" and form.validate():
            target = next(o for o in schools if o.id == form.school.data)
            try:
                req = requests_svc.request_transfer(
                    target, form.national_id.data, form.last_name.data,
                    form.arrival_date.data, form.note.data)
                db.session.commit()
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Request sent to %(school)s", school=req.source_organization
                              .short_name), "success")
                return redirect(url_for("ContingentView.transfer_requests"))
        return self.render_template(
            "records/form.html", fields=list(form),
            title=gettext("Ask another school for a pupil"),
            note=gettext("The pupil is found by the IIN/PIN and last name on the documents the "
                         "parents brought. The other school accepts the request with its "
                         "order (the pupil then appears in your pupils without a class) or "
                         "refuses it with a reason."),
            back=url_for("ContingentView.transfer_requests"))

    @expose("/transfer_requests/<int:req_id>/<string:action>", methods=["POST"])
    @has_access
    def decide_transfer_request(self, req_id: int, action: str):
        """accept / refuse (the leaving school's writers), withdraw (the requester's)."""
        scope = current_scope()
        req = db.session.scalars(select(TransferRequest).where(
            TransferRequest.id == req_id, transfer_request_read_clause(scope))).first()
        if req is None or action not in ("accept", "refuse", "withdraw"):
            abort(404)
        if not can_act_on_request(req, action):
            abort(403)
        try:
            if action == "accept":
                day = _date_arg_form("date") or req.arrival_date
                order = db.session.get(Order, request.form.get("order", type=int) or 0)
                requests_svc.accept(req, order, day)
                message = gettext("Transferred: %(pupil)s to %(school)s", pupil=req.person,
                                  school=req.organization.short_name)
            elif action == "refuse":
                requests_svc.refuse(req, request.form.get("reason"))
                message = gettext("Request refused")
            else:
                requests_svc.withdraw(req)
                message = gettext("Request withdrawn")
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(str(err), "danger")
        else:
            flash(message, "success")
        return redirect(url_for("ContingentView.transfer_requests"))

    # -- orders: annul and scan ------------------------------------------------------------

    def _order(self, order_id: int) -> Order:
        order = db.session.scalars(select(Order).where(
            Order.id == order_id,
            staff_read_clause(Order.organization_id, current_scope()))).first()
        return order or abort(404)

    @expose("/orders/<int:order_id>/annul", methods=["GET", "POST"])
    @has_access
    def annul_order(self, order_id: int):
        order = self._order(order_id)
        _writable_or_403(order.organization_id)
        form = AnnulForm(request.form if request.method == "POST" else None)
        back = url_for("OrderView.list")
        if request.method == "POST" and form.validate():
            try:
                svc.annul_order(order, form.reason.data)
                db.session.commit()
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
        order = db.session.scalars(select(Order).options(undefer(Order.scan)).where(
            Order.id == order_id,
            staff_read_clause(Order.organization_id, current_scope()))).first()
        if order is None or order.scan is None:
            abort(404)
        name = (order.scan_name or "order").replace('"', "")
        return Response(order.scan, mimetype=order.scan_mime or "application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- books -----------------------------------------------------------------------------

    def _report(self, template: str, org, **kw):
        printing = request.args.get("format") == "print"
        return self.render_template(template, org=org, printing=printing,
                                    schools=_staff_schools(),
                                    stamp=print_stamp(org.short_name if org else None),
                                    cell=rep._cell, **kw)

    @expose("/book")
    @has_access
    def book(self):
        org = _org_param()
        today = dt.date.today()
        start = _date_arg("start", dt.date(today.year if today.month >= 9 else today.year - 1,
                                           9, 1))
        end = _date_arg("end", today)
        inside = request.args.get("inside") == "1"
        lines = rep.movement_book(org.id, start, end, inside) if org is not None else []
        if org is not None and request.args.get("format") == "xlsx":
            return xlsx_response(rep.movement_book_xlsx(org.short_name, start, end, lines),
                         f"movement-book-{org.id}")
        return self._report("contingent/book.html", org, start=start, end=end, inside=inside,
                            headers=rep.movement_book_headers(),
                            rows=rep.movement_book_rows(lines),
                            title=gettext("Book of pupil movement"),
                            period_text=f"{format_date(start)} - {format_date(end)}")

    @expose("/alphabetical")
    @has_access
    def alphabetical(self):
        org = _org_param()
        lines = rep.alphabetical_book(org.id) if org is not None else []
        if org is not None and request.args.get("format") == "xlsx":
            return xlsx_response(rep.alphabetical_xlsx(org.short_name, lines),
                         f"alphabetical-book-{org.id}")
        return self._report("contingent/book.html", org, headers=rep.alphabetical_headers(),
                            rows=rep.alphabetical_rows(lines),
                            title=gettext("Alphabetical book of pupils"), period_text="")



