"""Add a participant (new person or existing user) and print invitations."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.models.org import Organization
from app.models.people import Membership, Person, Role
from app.security.scopes import can_read_org, can_write_org, current_scope, person_clause
from app.services import people as people_service
from app.services.errors import DomainError
from app.views.base import form_error
from app.views.fields import country_field, role_field, sex_field
from app.views.widgets import ScopedAjaxField

FC = {"class": "form-control"}


class ParticipantForm(DynamicForm):
    organization = ScopedAjaxField(_l("Organization"), [DataRequired()],
                                   lookup="writable_organization")
    role = role_field(default=Role.teacher.value, render_kw=FC)
    arrival_date = DateField(_l("Arrival date"), [Optional()], default=dt.date.today,
                             render_kw=FC)
    position = StringField(_l("Position"), [Optional()], render_kw=FC)
    public_title = StringField(_l("Public position title"), [Optional()], render_kw=FC)
    is_admin = BooleanField(_l("Administrator"))
    login = StringField(_l("Login of an existing user"), [Optional()], render_kw=FC,
                        description=_l("Fill in to add a registered user; leave empty to "
                                       "create a new person below."))
    last_name = StringField(_l("Last name"), [Optional()], render_kw=FC)
    first_name = StringField(_l("First name"), [Optional()], render_kw=FC)
    middle_name = StringField(_l("Middle name"), [Optional()], render_kw=FC,
                              description=_l("Optional"))
    birth_date = DateField(_l("Birth date"), [Optional()], render_kw=FC,
                           description=_l("Taken from the IIN / PIN when left empty"))
    sex = sex_field(validators=[Optional()], render_kw=FC)
    country = country_field(render_kw=FC)
    national_id = StringField(_l("IIN / PIN"), [Optional()], render_kw=FC,
                              description=_l("Kazakhstan: IIN, 12 digits; Kyrgyzstan: PIN, "
                                             "14 digits"))
    phone = StringField(_l("Phone"), [Optional()], render_kw=FC)
    email = StringField(_l("E-mail"), [Optional()], render_kw=FC)


def _offer_roles(form: ParticipantForm) -> None:
    """Only the ministry hands out ministry roles: do not offer them to anybody else."""
    if not current_scope().everything:
        form.role.choices = [(v, label) for v, label in form.role.choices
                             if Role(v) not in people_service.MINISTRY_ROLES]


def _only_writable_org():
    """The organisation to preselect when the user may add participants to just one."""
    ids = current_scope().write_ids
    return db.session.get(Organization, next(iter(ids))) if len(ids) == 1 else None


class ParticipantView(BaseView):
    route_base = "/participants"
    default_view = "add"

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = ParticipantForm(request.form if request.method == "POST" else None)
        _offer_roles(form)
        if request.method == "GET":
            org = None
            if (request.args.get("org") or "").isdigit():
                org = db.session.get(Organization, int(request.args["org"]))
            org = org or _only_writable_org()
            if org is not None and can_write_org(org.id):
                form.organization.data = org
        if request.method == "POST" and form.validate():
            org = form.organization.data
            try:
                person = None
                if not form.login.data:
                    person = Person(last_name=form.last_name.data, first_name=form.first_name.data,
                                    middle_name=form.middle_name.data or None,
                                    birth_date=form.birth_date.data, sex=form.sex.data,
                                    country=form.country.data,
                                    national_id=form.national_id.data,
                                    phone=form.phone.data or None, email=form.email.data or None)
                m = people_service.add_participant(
                    current_scope(), org, form.role.data, person=person, login=form.login.data or None,
                    arrival_date=form.arrival_date.data, position=form.position.data or None,
                    public_title=form.public_title.data or None, is_admin=form.is_admin.data)
            except DomainError as err:
                form_error(form, err)
            else:
                flash(gettext("Participant added: %(name)s", name=m.person.full_name), "success")
                if request.form.get("another"):
                    return redirect(url_for(".add", org=org.id))
                return redirect(url_for("PersonView.show", pk=m.person_id))
        return self.render_template("participant_add.html", form=form,
                                    title=gettext("Add participant"))

    @expose("/invitations")
    @has_access
    def invitations(self):
        """Invitations of registered persons who have not changed their temporary password:
        one (``?person=ID``) or all of an organisation (``?org=ID``)."""
        scope = current_scope()
        q = select(Person).where(Person.temp_password.is_not(None))
        org = None
        if request.args.get("person"):
            q = q.where(Person.id == int(request.args["person"]))
        if request.args.get("org"):
            org = db.session.get(Organization, int(request.args["org"]))
            if org is None or not can_read_org(org.id):
                abort(404)
            q = q.where(Person.id.in_(select(Membership.person_id).where(
                Membership.organization_id == org.id, Membership.end_date.is_(None))))
        q = q.where(person_clause(Person.id, scope, write=True)).order_by(Person.last_name)
        people = db.session.scalars(q).all()
        from app.security.printing import print_stamp

        return self.render_template("invitations.html", people=people, org=org,
                                    stamp=print_stamp(), login_url=request.host_url)
