"""Contingent: orders of a school and the movements of pupils they back (seed 004 section 2,
"Контингент": enrolment, transfer to another class, exclusion, transfer to another school,
disbanding a class, promotion to the next academic year; seed 003 §47: orders are kept).

A movement row is written by ``app.services.contingent`` in the same transaction that
changes the pupil's class enrolments and school memberships; it is never deleted."""
from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.mixins import StampMixin
from app.models.org import Organization
from app.models.people import Person
from app.models.study import SchoolClass, StudyPeriod


class OrderKind(str, enum.Enum):
    enrolment = "enrolment"
    transfer = "transfer"
    exclusion = "exclusion"
    graduation = "graduation"
    promotion = "promotion"
    disband = "disband"
    other = "other"


ORDER_KIND_LABELS = {
    OrderKind.enrolment: _l("Enrolment"),
    OrderKind.transfer: _l("Transfer"),
    OrderKind.exclusion: _l("Exclusion"),
    OrderKind.graduation: _l("Graduation"),
    OrderKind.promotion: _l("Promotion to the next year"),
    OrderKind.disband: _l("Disbanding a class"),
    OrderKind.other: _l("Other"),
}


class Order(StampMixin, Model):
    """An order of the school (number, date, summary, scan). Numbers are unique within a
    school and a calendar year (``year`` is the year of ``date``). Never deleted: a wrong
    order is annulled with a reason and backs no new movement."""

    __tablename__ = "contingent_order"
    __table_args__ = (UniqueConstraint("organization_id", "year", "number",
                                       name="uq_contingent_order_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    number: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    year: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500))
    kind: Mapped[OrderKind | None] = mapped_column(Enum(OrderKind, native_enum=False,
                                                        length=20))
    scan = deferred(mapped_column(LargeBinary, nullable=True))
    scan_name: Mapped[str | None] = mapped_column(String(200))
    scan_mime: Mapped[str | None] = mapped_column(String(100))
    annulled_on: Mapped[dt.date | None] = mapped_column(Date)
    annul_reason: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        from app.i18n import format_date

        return f"№ {self.number} ({format_date(self.date)})" if self.date else self.number


class MovementKind(str, enum.Enum):
    enrolment = "enrolment"
    class_transfer = "class_transfer"
    exclusion = "exclusion"
    transfer_out = "transfer_out"
    transfer_in = "transfer_in"
    graduation = "graduation"
    promotion = "promotion"
    disband = "disband"


MOVEMENT_KIND_LABELS = {
    MovementKind.enrolment: _l("Enrolment"),
    MovementKind.class_transfer: _l("Transfer to another class"),
    MovementKind.exclusion: _l("Exclusion"),
    MovementKind.transfer_out: _l("Transfer to another school"),
    MovementKind.transfer_in: _l("Arrival from another school"),
    MovementKind.graduation: _l("Graduation"),
    MovementKind.promotion: _l("Promotion to the next year"),
    MovementKind.disband: _l("Disbanding a class"),
}

#: kinds that bring a pupil into the school, take them out of it, or move them inside it
ARRIVALS = (MovementKind.enrolment, MovementKind.transfer_in)
DEPARTURES = (MovementKind.exclusion, MovementKind.transfer_out, MovementKind.graduation)


class Movement(StampMixin, Model):
    """One movement of one pupil in one school, backed by an order of that school."""

    __tablename__ = "movement"
    __table_args__ = (Index("ix_movement_org_date", "organization_id", "date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined",
                                                      foreign_keys=[organization_id])
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person: Mapped[Person] = relationship(lazy="joined")
    kind: Mapped[MovementKind] = mapped_column(Enum(MovementKind, native_enum=False,
                                                    length=20), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    from_class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"),
                                                      index=True)
    from_class: Mapped[SchoolClass | None] = relationship(lazy="joined",
                                                          foreign_keys=[from_class_id])
    to_class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    to_class: Mapped[SchoolClass | None] = relationship(lazy="joined",
                                                        foreign_keys=[to_class_id])
    order_id: Mapped[int] = mapped_column(ForeignKey("contingent_order.id"), index=True)
    order: Mapped[Order] = relationship(lazy="joined")
    reason: Mapped[str | None] = mapped_column(String(300))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("study_period.id"))
    period: Mapped[StudyPeriod | None] = relationship(lazy="joined")
    #: the target school (transfer out) or the source school (arrival from another school)
    other_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                              index=True)
    other_organization: Mapped[Organization | None] = relationship(
        lazy="joined", foreign_keys=[other_organization_id])

    def __repr__(self) -> str:
        return f"{self.person} - {MOVEMENT_KIND_LABELS.get(self.kind, self.kind)}"


class TransferRequestStatus(str, enum.Enum):
    requested = "requested"
    accepted = "accepted"
    refused = "refused"
    withdrawn = "withdrawn"


TRANSFER_REQUEST_STATUS_LABELS = {
    TransferRequestStatus.requested: _l("Waiting for the other school"),
    TransferRequestStatus.accepted: _l("Accepted: transferred"),
    TransferRequestStatus.refused: _l("Refused"),
    TransferRequestStatus.withdrawn: _l("Withdrawn"),
}


class TransferRequest(StampMixin, Model):
    """A school's request to receive a pupil of another school in the system (the parents'
    application is at the receiving school). The leaving school accepts it - the transfer is
    performed with the leaving school's order - or refuses it with a reason; the requesting
    school may withdraw it while it waits. Never deleted."""

    __tablename__ = "transfer_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the receiving school, which asks
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined",
                                                      foreign_keys=[organization_id])
    #: the school the pupil leaves, which decides
    source_organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    source_organization: Mapped[Organization] = relationship(
        lazy="joined", foreign_keys=[source_organization_id])
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person: Mapped[Person] = relationship(lazy="joined")
    arrival_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[TransferRequestStatus] = mapped_column(
        Enum(TransferRequestStatus, native_enum=False, length=12),
        default=TransferRequestStatus.requested, index=True)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(String(300))
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movement.id"))
