"""Organisations: the subordination tree, types, profile settings."""
from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.mixins import StampMixin, utcnow


class OrgKind(str, enum.Enum):
    ministry = "ministry"
    region = "region"
    district = "district"
    school = "school"
    college = "college"
    kindergarten = "kindergarten"
    other = "other"


ORG_KIND_LABELS = {
    OrgKind.ministry: _l("Ministry"),
    OrgKind.region: _l("Regional education department"),
    OrgKind.district: _l("District education department"),
    OrgKind.school: _l("School"),
    OrgKind.college: _l("College"),
    OrgKind.kindergarten: _l("Kindergarten"),
    OrgKind.other: _l("Other organization"),
}

#: kinds that may be the parent of a kind
ALLOWED_PARENT_KINDS = {
    OrgKind.ministry: set(),
    OrgKind.region: {OrgKind.ministry},
    OrgKind.district: {OrgKind.region, OrgKind.ministry},
    OrgKind.school: {OrgKind.district, OrgKind.region, OrgKind.ministry},
    OrgKind.college: {OrgKind.district, OrgKind.region, OrgKind.ministry},
    OrgKind.kindergarten: {OrgKind.district, OrgKind.region, OrgKind.ministry},
    OrgKind.other: {OrgKind.district, OrgKind.region, OrgKind.ministry},
}

LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "ky": _l("Kyrgyz"), "en": _l("English"),
                   "uz": _l("Uzbek"), "tg": _l("Tajik")}

district_supervised_type = Table(
    "district_supervised_type",
    Model.metadata,
    Column("district_id", Integer, ForeignKey("organization.id"), primary_key=True),
    Column("org_type_id", Integer, ForeignKey("org_type.id"), primary_key=True),
)


class OrgType(Model):
    """Organisation type (general secondary school, gymnasium, lyceum, ...)."""

    __tablename__ = "org_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=20))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name(self, locale: str | None = None) -> str:
        from app.i18n import current_locale

        loc = locale or current_locale()
        return getattr(self, f"name_{loc}", None) or self.name_en

    def __repr__(self) -> str:
        return self.name()


class Organization(StampMixin, Model):
    """An organisation in the subordination tree.

    ``path`` is the materialised path of ids (``/1/4/17/``): descendants of X are the
    rows whose path starts with X's path. It is kept by ``app.services.orgs``.
    """

    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=20), index=True)
    org_type_id: Mapped[int | None] = mapped_column(ForeignKey("org_type.id"), index=True)
    org_type: Mapped[OrgType | None] = relationship(lazy="joined")
    short_name: Mapped[str] = mapped_column(String(150), index=True)
    full_name: Mapped[str] = mapped_column(String(500))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    parent: Mapped[Organization | None] = relationship(remote_side=[id], lazy="joined",
                                                      join_depth=1)
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    territory: Mapped[str | None] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), default="KZ")

    legal_address: Mapped[str | None] = mapped_column(String(500))
    actual_address: Mapped[str | None] = mapped_column(String(500))
    phones: Mapped[str | None] = mapped_column(String(200))
    fax: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(200))

    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Almaty")
    language: Mapped[str] = mapped_column(String(5), default="ru")
    licence_number: Mapped[str | None] = mapped_column(String(100))
    licence_date: Mapped[dt.date | None] = mapped_column(Date)
    accreditation: Mapped[str | None] = mapped_column(String(200))

    feature_forums: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_documents: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_structure: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_pages: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_feedback: Mapped[bool] = mapped_column(Boolean, default=True)
    feature_site: Mapped[bool] = mapped_column(Boolean, default=False)

    appeals_email: Mapped[str | None] = mapped_column(String(200))
    appeals_email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    subordination_excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    # loaded only where used (district settings): "selectin" cost a query for every
    # organisation loaded anywhere, and twice with the joined parent
    supervised_types: Mapped[list[OrgType]] = relationship(secondary=district_supervised_type,
                                                           lazy="select")

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS.get(self.kind, self.kind))

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def appeals_email_confirmed(self) -> bool:
        return self.appeals_email_confirmed_at is not None

    def __repr__(self) -> str:
        return self.short_name


class OrganizationLogo(Model):
    """The logo, as uploaded and as shown (150x150 PNG)."""

    __tablename__ = "organization_logo"
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    original: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EmailConfirmation(Model):
    """A code sent to confirm an organisation's appeals e-mail."""

    __tablename__ = "email_confirmation"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(12))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Model):
    """Every e-mail the product sends, kept for the record (and the dev backend)."""

    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
