"""A school's effective journal settings (grading policy, edit window, criteria weights).

Without a :class:`~app.models.journal.JournalSettings` row a school in Kazakhstan uses the
criteria-based assessment (``kz_criteria``) and a school in Kyrgyzstan the regulation of
seed 003 §23-§24 (``kg_weighted``); the edit window defaults to two weeks (seed 002 §2.14
lists never / 1 / 2 / 3 weeks / 1 month; two weeks is the middle choice).

:func:`check_settings` is the rule the settings page applies to a new or changed row."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.journal import GradingPolicyName, JournalSettings
from app.models.org import Organization
from app.security.scopes import UserScope, can_write_org
from app.services.errors import ScopeError, ValidationError
from app.services.journal.edit_window import EditWindow

DEFAULT_EDIT_WINDOW = "2w"


@dataclass(frozen=True)
class EffectiveSettings:
    organization_id: int
    grading_policy: GradingPolicyName
    edit_window: str
    weight_formative: int = 25
    weight_section: int = 25
    weight_term: int = 50


def default_policy(country: str | None) -> GradingPolicyName:
    return GradingPolicyName.kg_weighted if country == "KG" else GradingPolicyName.kz_criteria


def effective_settings(org: Organization) -> EffectiveSettings:
    """The settings in force for ``org`` (one query)."""
    row = db.session.scalars(
        select(JournalSettings).where(JournalSettings.organization_id == org.id)).first()
    if row is None:
        return EffectiveSettings(org.id, default_policy(org.country), DEFAULT_EDIT_WINDOW)
    return EffectiveSettings(org.id, row.grading_policy, row.edit_window or DEFAULT_EDIT_WINDOW,
                             row.weight_formative, row.weight_section, row.weight_term)


def effective_settings_of(org_id: int) -> EffectiveSettings:
    """:func:`effective_settings` by organisation id in one light query (no entities)."""
    row = db.session.execute(
        select(Organization.country, JournalSettings.id.label("settings_id"),
               JournalSettings.grading_policy, JournalSettings.edit_window,
               JournalSettings.weight_formative, JournalSettings.weight_section,
               JournalSettings.weight_term)
        .outerjoin(JournalSettings, JournalSettings.organization_id == Organization.id)
        .where(Organization.id == org_id)).first()
    return settings_from_row(org_id, row)


def settings_from_row(org_id: int, row) -> EffectiveSettings:
    """The settings from a row with ``country``, ``settings_id``, ``grading_policy``,
    ``edit_window`` and the weights (the settings row outer-joined to the organisation)."""
    if row is None or row.settings_id is None:
        return EffectiveSettings(org_id, default_policy(row.country if row else None),
                                 DEFAULT_EDIT_WINDOW)
    return EffectiveSettings(org_id, row.grading_policy,
                             row.edit_window or DEFAULT_EDIT_WINDOW, row.weight_formative,
                             row.weight_section, row.weight_term)


# ---------------------------------------------------------------- the settings page's rule

EDIT_WINDOW_LABELS = {
    EditWindow.NEVER: _l("Never closes (until the end of the school year)"),
    EditWindow.ONE_WEEK: _l("One week after the lesson"),
    EditWindow.TWO_WEEKS: _l("Two weeks after the lesson"),
    EditWindow.THREE_WEEKS: _l("Three weeks after the lesson"),
    EditWindow.ONE_MONTH: _l("One month after the lesson"),
}


def check_settings(scope: UserScope, row: JournalSettings) -> None:
    """A school's journal settings, new or changed (the settings page's ``write_rule``; FAB's
    add and edit save them): the user of ``scope`` writes in the school (ScopeError); a known
    edit window (``edit_window``); criteria weights whole percents from 0 that add up to 100
    (the field named is the one to fix: ``weight_term``); one row per school
    (``organization``)."""
    org_id = row.organization.id if row.organization is not None else row.organization_id
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change the journal settings of this school"),
                         code="scope")
    try:
        EditWindow(row.edit_window)
    except ValueError:
        raise ValidationError(_l("Unknown edit window %(window)s; use never, 1w, 2w, 3w or 1m",
                                 window=str(row.edit_window)),
                              field="edit_window", code="edit_window_unknown") from None
    weights = {"weight_formative": row.weight_formative, "weight_section": row.weight_section,
               "weight_term": row.weight_term}
    for name, value in weights.items():
        if value is None or value < 0 or value > 100:
            raise ValidationError(_l("A weight is a whole percent from 0 to 100"), field=name,
                                  code="weight_range")
    total = sum(weights.values())
    if total != 100:
        raise ValidationError(
            _l("The weights (formative, section, term) must add up to 100%%; now %(total)s%%",
               total=total), field="weight_term", code="weights_sum")
    row.organization_id = org_id
    other = db.session.scalars(
        select(JournalSettings.id).where(JournalSettings.organization_id == org_id)).first()
    if other is not None and other != row.id:
        raise ValidationError(_l("This school already has journal settings; edit them"),
                              field="organization", code="settings_exist")
