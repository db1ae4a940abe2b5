"""A school's effective journal settings (grading policy, edit window, criteria weights).

Without a :class:`~app.models.journal.JournalSettings` row a school in Kazakhstan uses the
criteria-based assessment (``kz_criteria``) and a school in Kyrgyzstan the regulation of
seed 003 §23-§24 (``kg_weighted``); the edit window defaults to two weeks (seed 002 §2.14
lists never / 1 / 2 / 3 weeks / 1 month; two weeks is the middle choice)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models.journal import GradingPolicyName, JournalSettings
from app.models.org import Organization

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
