"""Form fields with translated choices for our enums."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField

from app.models.org import LANGUAGE_LABELS, ORG_KIND_LABELS, OrgKind
from app.models.people import ROLE_LABELS, SEX_LABELS, Role, Sex

COUNTRY_LABELS = {"KZ": _l("Kazakhstan"), "KG": _l("Kyrgyzstan")}


def enum_field(label, enum_cls, labels, **kw) -> SelectField:
    return SelectField(label, choices=[(e, labels[e]) for e in enum_cls],
                       coerce=lambda v: v if isinstance(v, enum_cls) else enum_cls(v),
                       widget=Select2Widget(), **kw)


def kind_field(**kw):
    return enum_field(_l("Kind"), OrgKind, ORG_KIND_LABELS, **kw)


def role_field(**kw):
    return enum_field(_l("Role"), Role, ROLE_LABELS, **kw)


def sex_field(**kw):
    return SelectField(_l("Sex"), choices=[("", "")] + [(e.value, SEX_LABELS[e]) for e in Sex],
                       coerce=lambda v: Sex(v) if v else None, widget=Select2Widget(), **kw)


def country_field(**kw):
    return SelectField(_l("Country"), choices=list(COUNTRY_LABELS.items()), widget=Select2Widget(),
                       **kw)


def language_field(**kw):
    return SelectField(_l("Language of instruction"), choices=list(LANGUAGE_LABELS.items()),
                       widget=Select2Widget(), **kw)


def label_of(mapping):
    """A FAB ``formatters_columns`` entry showing the translated label of an enum value."""
    return lambda v: str(mapping.get(v, v)) if v is not None else ""


def bool_fields(labels: dict, names: list[str]) -> dict:
    """Optional check boxes (FAB makes a NOT NULL boolean "required", refusing False)."""
    from wtforms import BooleanField

    return {n: BooleanField(labels[n], default=False) for n in names}
