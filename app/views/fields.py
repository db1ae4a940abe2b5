"""Form fields with translated choices for our enums."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.models.org import LANGUAGE_LABELS, ORG_KIND_LABELS, OrgKind
from app.models.people import ROLE_LABELS, SEX_LABELS, Role, Sex

COUNTRY_LABELS = {"KZ": _l("Kazakhstan"), "KG": _l("Kyrgyzstan")}


def enum_field(label, enum_cls, labels, **kw) -> SelectField:
    """A select of an enum: the option values are the enum values (``"Teacher"``, not
    ``"Role.teacher"``), the labels translated, the data the enum member."""
    def coerce(v):
        if v is None or v == "" or isinstance(v, enum_cls):
            return v or None
        try:
            return enum_cls(v)
        except ValueError:
            raise ValueError(str(_l("Not a valid choice"))) from None

    return SelectField(label, choices=[(e.value, labels[e]) for e in enum_cls], coerce=coerce,
                       **kw)


def kind_field(**kw):
    return enum_field(_l("Kind"), OrgKind, ORG_KIND_LABELS, **kw)


def role_field(label=None, **kw):
    return enum_field(label or _l("Role"), Role, ROLE_LABELS, **kw)


def sex_field(**kw):
    return SelectField(_l("Sex"), choices=[("", "")] + [(e.value, SEX_LABELS[e]) for e in Sex],
                       coerce=lambda v: Sex(v) if v else None, **kw)


def country_field(**kw):
    return SelectField(_l("Country"), choices=list(COUNTRY_LABELS.items()), **kw)


def language_field(**kw):
    return SelectField(_l("Language of instruction"), choices=list(LANGUAGE_LABELS.items()), **kw)


def label_of(mapping):
    """A FAB ``formatters_columns`` entry showing the translated label of an enum value."""
    return lambda v: str(mapping.get(v, v)) if v is not None else ""


def bool_fields(labels: dict, names: list[str]) -> dict:
    """Optional check boxes (FAB makes a NOT NULL boolean "required", refusing False)."""
    from wtforms import BooleanField

    return {n: BooleanField(labels[n], default=False) for n in names}
