"""Pupil personal file (seed 003 §57-§58, seed 004 section 2, figures 22-23).

Personal data (names, IIN/PIN, birth date, sex, phone, e-mail) stay on ``Person``; the file
holds the other categories of §58. Medical and social data are the *sensitive* parts: who
may read them is decided in ``app.security.pupils.scope``; the audit log records that they
changed but not their values (``__audit_redact__``).

Parents and legal representatives are ``ParentLink`` rows (``app.models.people``).
"""
from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Enum, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.mixins import StampMixin
from app.models.org import Organization
from app.models.people import Person


class EducationForm(str, enum.Enum):
    """Form of education (seed 003 §58 item 15)."""

    full_time = "full_time"
    home = "home"
    inclusive = "inclusive"
    family = "family"
    external = "external"
    distance = "distance"


EDUCATION_FORM_LABELS = {
    EducationForm.full_time: _l("Full-time"),
    EducationForm.home: _l("Home schooling"),
    EducationForm.inclusive: _l("Inclusive education"),
    EducationForm.family: _l("Family education"),
    EducationForm.external: _l("External study"),
    EducationForm.distance: _l("Distance learning"),
}

#: social status and benefit categories (seed 003 §58 items 11 and 14), stored as codes
SOCIAL_CATEGORY_LABELS = {
    "orphan": _l("Orphan"),
    "half_orphan": _l("Half-orphan"),
    "guardianship": _l("Under guardianship"),
    "single_parent": _l("Single-parent family"),
    "large_family": _l("Large family"),
    "low_income": _l("Low-income family"),
    "disabled": _l("Child with a disability"),
    "migrant_parents": _l("Parents working abroad"),
    "school_register": _l("On the school's internal register"),
    "juvenile_inspection": _l("On the juvenile inspection register"),
    "transport": _l("Right to school transport"),
    "free_meals": _l("Free meals"),
}

HEALTH_GROUP_LABELS = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}

PE_GROUP_LABELS = {
    "main": _l("Main group"),
    "preparatory": _l("Preparatory group"),
    "special": _l("Special group"),
    "exempt": _l("Exempt"),
}


class AchievementLevel(str, enum.Enum):
    school = "school"
    district = "district"
    region = "region"
    national = "national"
    international = "international"


ACHIEVEMENT_LEVEL_LABELS = {
    AchievementLevel.school: _l("School"),
    AchievementLevel.district: _l("District"),
    AchievementLevel.region: _l("Region"),
    AchievementLevel.national: _l("National"),
    AchievementLevel.international: _l("International"),
}

#: columns of the sensitive parts
MEDICAL_FIELDS = ("health_group", "pe_group", "allergies", "vaccinations", "medication",
                  "rehabilitation_class", "limited_health", "medical_note")
SOCIAL_FIELDS = ("social_categories", "social_note")
SENSITIVE_FIELDS = MEDICAL_FIELDS + SOCIAL_FIELDS


class PupilFile(StampMixin, Model):
    """One pupil's personal file, kept by the school in ``organization_id`` (a transfer to
    another school moves the file, it is never duplicated: one file per person)."""

    __tablename__ = "pupil_file"
    __audit_redact__ = frozenset(SENSITIVE_FIELDS + ("characterisation",))
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    person: Mapped[Person] = relationship(lazy="joined", foreign_keys=[person_id])

    # personal (the rest is on Person)
    nationality: Mapped[str | None] = mapped_column(String(100))
    citizenship: Mapped[str | None] = mapped_column(String(100))
    birth_certificate: Mapped[str | None] = mapped_column(String(100))
    # addresses
    registered_address: Mapped[str | None] = mapped_column(String(500))
    actual_address: Mapped[str | None] = mapped_column(String(500))
    # previous education
    previous_school: Mapped[str | None] = mapped_column(String(300))
    previous_document: Mapped[str | None] = mapped_column(String(200))
    arrived_on: Mapped[dt.date | None] = mapped_column(Date)
    # form of education and studies
    education_form: Mapped[EducationForm] = mapped_column(
        Enum(EducationForm, native_enum=False, length=12), default=EducationForm.full_time)
    in_depth_subjects: Mapped[str | None] = mapped_column(String(300))
    additional_languages: Mapped[str | None] = mapped_column(String(200))
    # social status and benefits (sensitive)
    social_categories: Mapped[str | None] = mapped_column(String(300))
    social_note: Mapped[str | None] = mapped_column(Text)
    # medical notes (sensitive)
    health_group: Mapped[str | None] = mapped_column(String(2))
    pe_group: Mapped[str | None] = mapped_column(String(20))
    allergies: Mapped[str | None] = mapped_column(String(500))
    vaccinations: Mapped[str | None] = mapped_column(Text)
    medication: Mapped[str | None] = mapped_column(String(500))
    rehabilitation_class: Mapped[bool] = mapped_column(Boolean, default=False)
    limited_health: Mapped[bool] = mapped_column(Boolean, default=False)
    medical_note: Mapped[str | None] = mapped_column(Text)
    # characterisation
    characterisation: Mapped[str | None] = mapped_column(Text)
    characterisation_author: Mapped[str | None] = mapped_column(String(300))
    characterisation_date: Mapped[dt.date | None] = mapped_column(Date)
    # photo (stored in the database)
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    photo_mime: Mapped[str | None] = mapped_column(String(40))

    achievements: Mapped[list[PupilAchievement]] = relationship(
        back_populates="file", lazy="selectin", order_by="PupilAchievement.held_on")

    @property
    def full_name(self) -> str:
        return self.person.full_name if self.person else ""

    @property
    def birth_date(self):
        return self.person.birth_date if self.person else None

    @property
    def social_codes(self) -> list[str]:
        return [c for c in (self.social_categories or "").split(",") if c]

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_mime)

    def __repr__(self) -> str:
        return self.full_name


class PupilAchievement(StampMixin, Model):
    """An olympiad, contest or other achievement (seed 003 §58 item 16)."""

    __tablename__ = "pupil_achievement"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("pupil_file.id"), index=True)
    file: Mapped[PupilFile] = relationship(back_populates="achievements", lazy="joined")
    event: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(150))
    level: Mapped[AchievementLevel] = mapped_column(
        Enum(AchievementLevel, native_enum=False, length=15), default=AchievementLevel.school)
    result: Mapped[str | None] = mapped_column(String(200))
    held_on: Mapped[dt.date | None] = mapped_column(Date)

    def __repr__(self) -> str:
        return self.event
