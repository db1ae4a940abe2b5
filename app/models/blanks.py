"""Strict-report blanks and the documents issued on them (seed 004 section 3)."""
from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.mixins import StampMixin, current_user_id, utcnow
from app.models.people import Person


class DocType(str, enum.Enum):
    attestat = "attestat"
    basic_certificate = "basic_certificate"
    commendation_letter = "commendation_letter"


DOC_TYPE_LABELS = {
    DocType.attestat: _l("Certificate of general secondary education (attestat)"),
    DocType.basic_certificate: _l("Certificate of basic secondary education"),
    DocType.commendation_letter: _l("Commendation letter"),
}

#: the types listed under "Issued certificates"; the others under "Issued commendation letters"
CERTIFICATE_TYPES = (DocType.attestat, DocType.basic_certificate)


class BlankStatus(str, enum.Enum):
    new = "new"            # in the school's stock
    issued = "issued"      # handed to an employee (still in stock until filled in)
    used = "used"          # filled in: an issued document consumed it
    spoiled = "spoiled"
    lost = "lost"


BLANK_STATUS_LABELS = {
    BlankStatus.new: _l("New"),
    BlankStatus.issued: _l("Issued"),
    BlankStatus.used: _l("Filled in"),
    BlankStatus.spoiled: _l("Spoiled"),
    BlankStatus.lost: _l("Lost"),
}

#: a document may be written on a blank with one of these statuses
IN_STOCK = (BlankStatus.new, BlankStatus.issued)


class Blank(StampMixin, Model):
    """A received blank. Nothing is deleted: every change adds a ``BlankHistory`` row."""

    __tablename__ = "blank"
    __table_args__ = (UniqueConstraint("organization_id", "doc_type", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    doc_type: Mapped[DocType] = mapped_column(Enum(DocType, native_enum=False, length=30))
    number: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[BlankStatus] = mapped_column(
        Enum(BlankStatus, native_enum=False, length=10), default=BlankStatus.new, index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recipient: Mapped[Person | None] = relationship(lazy="joined")
    purpose: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(String(300))
    received_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)

    def __repr__(self) -> str:
        return self.number


class BlankHistory(Model):
    """One step in a blank's life: received, issued, filled in, spoiled, lost, annulled."""

    __tablename__ = "blank_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    blank_id: Mapped[int] = mapped_column(ForeignKey("blank.id"), index=True)
    blank: Mapped[Blank] = relationship(lazy="joined")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), default=current_user_id)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[BlankStatus] = mapped_column(Enum(BlankStatus, native_enum=False, length=10))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    person: Mapped[Person | None] = relationship(lazy="joined")
    note: Mapped[str | None] = mapped_column(String(300))


class DocStatus(str, enum.Enum):
    valid = "valid"
    annulled = "annulled"


DOC_STATUS_LABELS = {DocStatus.valid: _l("Valid"), DocStatus.annulled: _l("Annulled")}


class IssuedDocument(StampMixin, Model):
    """A certificate or commendation letter issued to a pupil on a blank of the school."""

    __tablename__ = "issued_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    doc_type: Mapped[DocType] = mapped_column(Enum(DocType, native_enum=False, length=30),
                                              index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    pupil: Mapped[Person] = relationship(lazy="joined")
    blank_id: Mapped[int] = mapped_column(ForeignKey("blank.id"), unique=True)
    blank: Mapped[Blank] = relationship(lazy="joined")
    blank_number: Mapped[str] = mapped_column(String(30))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[DocStatus] = mapped_column(Enum(DocStatus, native_enum=False, length=10),
                                              default=DocStatus.valid)
    annulled_on: Mapped[dt.date | None] = mapped_column(Date)
    annul_reason: Mapped[str | None] = mapped_column(String(300))
