"""Pupil personal file pages (seed 003 §57-§58, seed 004 fig. 22-23): the list of files,
the file (general parts for everyone who reads it, medical and social parts only for the
school administration and the class teacher), its operations and its print.

Who reads what is decided in ``app.security.pupils.scope``; the rules in
``app.services.pupils.files``.
"""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from app.extensions import db
from app.models.people import PARENT_KIND_LABELS, SEX_LABELS, ParentLink, Person
from app.models.pupil_file import (
    ACHIEVEMENT_LEVEL_LABELS,
    EDUCATION_FORM_LABELS,
    HEALTH_GROUP_LABELS,
    PE_GROUP_LABELS,
    SOCIAL_CATEGORY_LABELS,
    AchievementLevel,
    EducationForm,
    PupilFile,
)
from app.security.filters import OrgWriteFilter
from app.security.printing import print_stamp
from app.security.pupils.scope import (
    PupilFileReadFilter,
    can_read_file,
    can_read_sensitive,
    can_write_characterisation,
)
from app.security.scopes import can_write_org, current_scope
from app.services.errors import DomainError, ScopeError
from app.services.pupils import files as service
from app.views.base import ScopedModelView, display_value, form_error
from app.views.fields import enum_field, label_of, sex_field
from app.views.widgets import ScopedAjaxField

LABELS = {
    "person": _l("Pupil"), "full_name": _l("Full name"), "organization": _l("Organization"),
    "birth_date": _l("Birth date"), "nationality": _l("Nationality"),
    "citizenship": _l("Citizenship"), "birth_certificate": _l("Birth certificate"),
    "registered_address": _l("Registered address"), "actual_address": _l("Actual address"),
    "previous_school": _l("Previous school"),
    "previous_document": _l("Document on previous education"),
    "arrived_on": _l("Arrival date"), "education_form": _l("Form of education"),
    "in_depth_subjects": _l("Subjects studied in depth"),
    "additional_languages": _l("Additional languages"),
    "social_categories": _l("Social status and benefits"), "social_note": _l("Social note"),
    "health_group": _l("Health group"), "pe_group": _l("Physical education group"),
    "allergies": _l("Allergies"), "vaccinations": _l("Vaccinations"),
    "medication": _l("Medication"), "rehabilitation_class": _l("Rehabilitation class"),
    "limited_health": _l("Limited health abilities"), "medical_note": _l("Medical note"),
    "characterisation": _l("Characterisation"),
    "characterisation_author": _l("Author of the characterisation"),
    "characterisation_date": _l("Date of the characterisation"),
}

GENERAL_FIELDS = ["nationality", "citizenship", "birth_certificate", "registered_address",
                  "actual_address", "previous_school", "previous_document", "arrived_on",
                  "education_form", "in_depth_subjects", "additional_languages"]


def _education_form_field():
    return enum_field(_l("Form of education"), EducationForm, EDUCATION_FORM_LABELS)


class PupilFileView(ScopedModelView):
    """The list of pupils' personal files and each file. The list and its search show and
    filter only general data (no medical or social column can be listed or searched)."""

    datamodel = SQLAInterface(PupilFile)
    route_base = "/pupilfiles"
    list_title = _l("Pupils' personal files")
    show_title = _l("Pupil's personal file")
    add_title = _l("Open a personal file")
    edit_title = _l("Edit the personal file")
    label_columns = LABELS
    list_columns = ["person", "birth_date", "organization", "education_form", "arrived_on"]
    order_columns = ["education_form", "arrived_on"]
    search_columns = ["education_form", "arrived_on", "previous_school"]
    #: FAB's own show page is replaced by ``show``; its columns are general parts only
    show_columns = ["person", "organization"] + GENERAL_FIELDS
    add_columns = ["person"] + GENERAL_FIELDS
    edit_columns = GENERAL_FIELDS
    base_filters = [["organization_id", PupilFileReadFilter, None]]
    write_filters = [["organization_id", OrgWriteFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    add_form_extra_fields = {
        "person": ScopedAjaxField(_l("Pupil"), lookup="school_student"),
        "education_form": _education_form_field()}
    edit_form_extra_fields = {"education_form": _education_form_field()}
    formatters_columns = {"education_form": label_of(EDUCATION_FORM_LABELS)}
    write_rule = service.check_file

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        f = self.datamodel.get(pk, self._base_filters)
        if f is None:
            abort(404)
        return self.render_template("pupil_file/show.html", **file_context(f),
                                    title=str(self.show_title), printing=False)


def file_context(f: PupilFile) -> dict:
    """What the file page and its print show; the sensitive parts only when allowed."""
    sensitive = can_read_sensitive(f.id)
    parents = service.parents_of([f.person_id]).get(f.person_id, [])
    return {
        "f": f, "p": f.person, "labels": LABELS, "parents": parents,
        "school_class": service.current_class(f.person_id, f.organization_id),
        "sensitive": sensitive,
        "can_write": can_write_org(f.organization_id),
        "can_characterise": can_write_characterisation(f.id),
        "education_form": EDUCATION_FORM_LABELS.get(f.education_form, ""),
        "social": [SOCIAL_CATEGORY_LABELS[c] for c in f.social_codes
                   if c in SOCIAL_CATEGORY_LABELS] if sensitive else [],
        "health_group": HEALTH_GROUP_LABELS.get(f.health_group or "", "") if sensitive else "",
        "pe_group": PE_GROUP_LABELS.get(f.pe_group or "", "") if sensitive else "",
        "levels": ACHIEVEMENT_LEVEL_LABELS,
        "general_fields": GENERAL_FIELDS,
        "fmt_date": display_value,
        "sex_label": str(SEX_LABELS.get(f.person.sex, "")) if f.person.sex else "",
    }


# --- operations -----------------------------------------------------------------------------


class SensitiveForm(DynamicForm):
    social_categories = SelectMultipleField(
        _l("Social status and benefits"), [Optional()],
        choices=list(SOCIAL_CATEGORY_LABELS.items()))
    social_note = TextAreaField(_l("Social note"), [Optional()])
    health_group = SelectField(_l("Health group"), [Optional()],
                               choices=[("", "")] + list(HEALTH_GROUP_LABELS.items()))
    pe_group = SelectField(_l("Physical education group"), [Optional()],
                           choices=[("", "")] + list(PE_GROUP_LABELS.items()))
    allergies = StringField(_l("Allergies"), [Optional()])
    vaccinations = TextAreaField(_l("Vaccinations"), [Optional()])
    medication = StringField(_l("Medication"), [Optional()])
    rehabilitation_class = BooleanField(_l("Rehabilitation class"))
    limited_health = BooleanField(_l("Limited health abilities"))
    medical_note = TextAreaField(_l("Medical note"), [Optional()])


class CharacterisationForm(DynamicForm):
    characterisation = TextAreaField(_l("Characterisation"), [Optional()])
    characterisation_date = DateField(_l("Date of the characterisation"), [Optional()])


class PhotoForm(DynamicForm):
    photo = FileField(_l("Photo (JPEG or PNG, at most 1 MB)"), [Optional()])


class ParentForm(DynamicForm):
    national_id = StringField(_l("IIN / PIN"), [Optional()])
    last_name = StringField(_l("Last name"), [DataRequired()])
    first_name = StringField(_l("First name"), [DataRequired()])
    middle_name = StringField(_l("Middle name"), [Optional()])
    birth_date = DateField(_l("Birth date"), [Optional()])
    sex = sex_field(validators=[Optional()])
    phone = StringField(_l("Phone"), [Optional()])
    email = StringField(_l("E-mail"), [Optional()])
    address = StringField(_l("Address"), [Optional()])
    kind = SelectField(_l("Kinship"), choices=list(PARENT_KIND_LABELS.items()))
    legal_representative = BooleanField(_l("Legal representative"), default=True)
    workplace = StringField(_l("Workplace"), [Optional()])
    job_position = StringField(_l("Position"), [Optional()])
    electronic_consent = BooleanField(_l("Consents to receive results electronically"))
    consent_date = DateField(_l("Consent date"), [Optional()])
    consent_how = StringField(_l("How the consent was given"), [Optional()])


class ConsentForm(DynamicForm):
    electronic_consent = BooleanField(_l("Consents to receive results electronically"))
    consent_date = DateField(_l("Consent date"), [Optional()])
    consent_how = StringField(_l("How the consent was given"), [Optional()])


class AchievementForm(DynamicForm):
    event = StringField(_l("Event"), [Optional()])
    subject = StringField(_l("Subject"), [Optional()])
    level = SelectField(_l("Level"), choices=[(e.value, ACHIEVEMENT_LEVEL_LABELS[e])
                                              for e in AchievementLevel])
    result = StringField(_l("Result"), [Optional()])
    held_on = DateField(_l("Date"), [Optional()])


def _readable(file_id: int) -> PupilFile:
    f = db.session.get(PupilFile, file_id)
    if f is None or not can_read_file(file_id):
        abort(404)
    return f


def _allowed(rule, f: PupilFile) -> None:
    """A write rule of the service (``authorise...``) for the user, refused as 403."""
    try:
        rule(current_scope(), f)
    except ScopeError:
        abort(403)


def _writable(file_id: int) -> PupilFile:
    f = _readable(file_id)
    _allowed(lambda scope, f: service.authorise(scope, f.organization_id), f)
    return f


def _user_name() -> str:
    user = getattr(g, "user", None)
    return f"{user.last_name} {user.first_name}".strip() if user is not None else ""


class PupilFileOpsView(BaseView):
    route_base = "/pupilfileops"
    default_view = "print_file"

    def _done(self, f: PupilFile, message: str):
        flash(message, "success")
        return redirect(url_for("PupilFileView.show", pk=f.id))

    def _form(self, form, f: PupilFile, title: str, back_pk: int | None = None, note=None):
        return self.render_template("records/form.html", fields=list(form), title=title,
                                    subtitle=f.full_name, note=note,
                                    back=url_for("PupilFileView.show", pk=back_pk or f.id))

    @expose("/<int:file_id>/sensitive", methods=["GET", "POST"])
    @has_access
    def sensitive(self, file_id: int):
        """Medical notes and social status: the school's writers who may read them."""
        f = _writable(file_id)
        if not can_read_sensitive(file_id):
            abort(404)
        form = SensitiveForm(request.form if request.method == "POST" else None,
                             obj=None if request.method == "POST" else f)
        if request.method == "GET":
            form.social_categories.data = f.social_codes
        if request.method == "POST" and form.validate():
            values = {name: getattr(form, name).data for name in service.SENSITIVE_FIELDS
                      if name != "social_categories"}
            values["social_categories"] = ",".join(form.social_categories.data or []) or None
            try:
                service.change_sensitive(current_scope(), f, values)
            except DomainError as err:
                form_error(form, err)
            else:
                return self._done(f, gettext("The personal file is saved"))
        return self._form(form, f, gettext("Medical notes and social status"))

    @expose("/<int:file_id>/characterisation", methods=["GET", "POST"])
    @has_access
    def characterisation(self, file_id: int):
        f = _readable(file_id)
        _allowed(service.authorise_characterisation, f)
        form = CharacterisationForm(request.form if request.method == "POST" else None,
                                    obj=None if request.method == "POST" else f)
        if request.method == "POST" and form.validate():
            try:
                service.set_characterisation(current_scope(), f, form.characterisation.data,
                                             _user_name(), form.characterisation_date.data)
            except DomainError as err:
                form_error(form, err)
            else:
                return self._done(f, gettext("The personal file is saved"))
        return self._form(form, f, gettext("Characterisation"))

    @expose("/<int:file_id>/photo", methods=["GET", "POST"])
    @has_access
    def photo(self, file_id: int):
        f = _writable(file_id)
        form = PhotoForm(request.form if request.method == "POST" else None)
        if request.method == "POST":
            upload = request.files.get("photo")
            data = upload.read(service.PHOTO_MAX_BYTES + 1) if upload and upload.filename \
                else None
            try:
                service.set_photo(current_scope(), f, data)
            except DomainError as err:
                form_error(form, err)
            else:
                return self._done(f, gettext("The photo is saved"))
        return self._form(form, f, gettext("Photo"))

    @expose("/<int:file_id>/photo/image")
    @has_access
    def photo_image(self, file_id: int):
        _readable(file_id)
        row = db.session.execute(select(PupilFile.photo, PupilFile.photo_mime)
                                 .where(PupilFile.id == file_id)).first()
        if row is None or not row.photo:
            abort(404)
        return Response(row.photo, mimetype=row.photo_mime or "application/octet-stream",
                        headers={"Cache-Control": "private, no-store"})

    @expose("/<int:file_id>/parent", methods=["GET", "POST"])
    @has_access
    def parent(self, file_id: int):
        f = _writable(file_id)
        form = ParentForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            d = form.data
            person = Person(national_id=d["national_id"] or None, last_name=d["last_name"],
                            first_name=d["first_name"], middle_name=d["middle_name"] or None,
                            birth_date=d["birth_date"], sex=d["sex"], phone=d["phone"] or None,
                            email=d["email"] or None, address=d["address"] or None,
                            country=f.organization.country or "KZ")
            try:
                with db.session.no_autoflush:
                    service.add_parent(current_scope(), f, person, d["kind"],
                                       d["legal_representative"],
                                       d["workplace"] or None, d["job_position"] or None,
                                       d["electronic_consent"], d["consent_date"],
                                       d["consent_how"])
            except DomainError as err:
                form_error(form, err)
            else:
                return self._done(f, gettext("The parent is added"))
        return self._form(form, f, gettext("Add a parent or legal representative"),
                          note=gettext("A parent already in the system is found by the "
                                       "IIN / PIN and is not created again."))

    @expose("/consent/<int:link_id>", methods=["GET", "POST"])
    @has_access
    def consent(self, link_id: int):
        link = db.session.get(ParentLink, link_id) or abort(404)
        f = service.file_of(link.student_id) or abort(404)
        _writable(f.id)
        form = ConsentForm(request.form if request.method == "POST" else None,
                           obj=None if request.method == "POST" else link)
        if request.method == "POST" and form.validate():
            try:
                service.set_consent(current_scope(), link, form.electronic_consent.data,
                                    form.consent_date.data, form.consent_how.data)
            except DomainError as err:
                form_error(form, err)
            else:
                return self._done(f, gettext("The consent is recorded"))
        return self._form(form, f, gettext("Consent to receive results electronically"),
                          note=link.parent.full_name if link.parent else None)

    @expose("/<int:file_id>/achievement", methods=["GET", "POST"])
    @has_access
    def achievement(self, file_id: int):
        f = _writable(file_id)
        form = AchievementForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            try:
                service.add_achievement(
                    current_scope(), f, event=(form.event.data or "").strip(),
                    subject=form.subject.data or None, level=AchievementLevel(form.level.data),
                    result=form.result.data or None, held_on=form.held_on.data)
            except DomainError as err:
                form_error(form, err)
            else:
                return self._done(f, gettext("The achievement is added"))
        return self._form(form, f, gettext("Olympiads and achievements"))

    @expose("/<int:file_id>/print")
    @has_access
    def print_file(self, file_id: int):
        """The printable file (seed 003 §48: time stamp and the printing user); medical and
        social parts only for those who may read them."""
        f = _readable(file_id)
        return self.render_template("pupil_file/print.html", **file_context(f),
                                    title=gettext("Pupil's personal file"), printing=True,
                                    org=f.organization,
                                    stamp=print_stamp(f.organization.short_name))
