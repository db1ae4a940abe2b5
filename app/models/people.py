"""People: persons, their memberships in organisations, parent links."""
from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.mixins import StampMixin, utcnow
from app.models.org import Organization


class Sex(str, enum.Enum):
    M = "M"
    F = "F"


SEX_LABELS = {Sex.M: _l("Male"), Sex.F: _l("Female")}


class Person(StampMixin, Model):
    """A human being known to the system. A person becomes a user when registered."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column(Enum(Sex, native_enum=False, length=1))
    country: Mapped[str] = mapped_column(String(2), default="KZ")
    national_id: Mapped[str | None] = mapped_column(String(14), unique=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), unique=True)
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id], lazy="joined")
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    temp_password: Mapped[str | None] = mapped_column(String(40))
    preferred_locale: Mapped[str | None] = mapped_column(String(5))

    memberships: Mapped[list[Membership]] = relationship(back_populates="person",
                                                          lazy="selectin")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def is_registered(self) -> bool:
        return self.user_id is not None

    def __repr__(self) -> str:
        return self.full_name


class Role(str, enum.Enum):
    """Roles of design.md; the value is the FAB role name too."""

    ministry_admin = "Ministry administrator"
    tech_operator = "Technical operator"
    district_head = "District head"
    district_deputy = "District deputy head"
    district_admin = "District administrator"
    district_employee = "District employee"
    school_admin = "School coordinator-administrator"
    director = "Director"
    deputy_director = "Deputy director"
    class_teacher = "Class teacher"
    teacher = "Teacher"
    student = "Student"
    parent = "Parent"


ROLE_LABELS = {
    Role.ministry_admin: _l("Ministry administrator"),
    Role.tech_operator: _l("Technical operator"),
    Role.district_head: _l("District head"),
    Role.district_deputy: _l("District deputy head"),
    Role.district_admin: _l("District administrator"),
    Role.district_employee: _l("District employee"),
    Role.school_admin: _l("School coordinator-administrator"),
    Role.director: _l("Director"),
    Role.deputy_director: _l("Deputy director"),
    Role.class_teacher: _l("Class teacher"),
    Role.teacher: _l("Teacher"),
    Role.student: _l("Student"),
    Role.parent: _l("Parent"),
}


class Membership(StampMixin, Model):
    """Person x organisation x role. Ending it archives the person; nothing is deleted."""

    __tablename__ = "membership"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person: Mapped[Person] = relationship(back_populates="memberships", lazy="joined")
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=40), index=True)
    position: Mapped[str | None] = mapped_column(String(200))
    public_title: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_editor: Mapped[bool] = mapped_column(Boolean, default=False)
    arrival_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    def __repr__(self) -> str:
        return f"{self.person} - {self.role_label} ({self.organization})"


class ParentLink(StampMixin, Model):
    """Parent or legal representative of a student, with the consent to electronic results."""

    __tablename__ = "parent_link"
    __table_args__ = (UniqueConstraint("parent_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    parent: Mapped[Person] = relationship(foreign_keys=[parent_id])
    student: Mapped[Person] = relationship(foreign_keys=[student_id])
    relation: Mapped[str | None] = mapped_column(String(50))
    electronic_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    #: mother, father, guardian, trustee ... (``PARENT_KIND_LABELS``)
    kind: Mapped[str | None] = mapped_column(String(20))
    legal_representative: Mapped[bool] = mapped_column(Boolean, default=True)
    workplace: Mapped[str | None] = mapped_column(String(300))
    job_position: Mapped[str | None] = mapped_column(String(200))
    #: seed 003 §57: the date the consent (or refusal) was recorded and how
    consent_date: Mapped[dt.date | None] = mapped_column(Date)
    consent_how: Mapped[str | None] = mapped_column(String(200))

    @property
    def kind_label(self) -> str:
        return str(PARENT_KIND_LABELS.get(self.kind, self.kind or self.relation or ""))


PARENT_KIND_LABELS = {
    "mother": _l("Mother"),
    "father": _l("Father"),
    "guardian": _l("Guardian"),
    "trustee": _l("Trustee"),
    "foster": _l("Foster parent"),
    "other": _l("Other relative"),
}


class LoginEvent(Model):
    """Every login attempt: who, when, from where, whether it succeeded."""

    __tablename__ = "login_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(256), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


class AuditRecord(Model):
    """One create, update or delete of a domain record, with old and new values."""

    __tablename__ = "audit_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    user: Mapped[User | None] = relationship(User, lazy="joined")
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[str] = mapped_column(String)
