"""Staff files (seed 004 section 2, "ведение личных дел сотрудников"): employment, documents,
education, awards, events (leave, time off, recall, sick leave, dismissal, delegation),
qualification courses and seniority. Personal data stay on ``Person``."""
from __future__ import annotations

import datetime as dt
import enum

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.mixins import StampMixin
from app.models.org import Organization
from app.models.people import Person


class StaffFile(StampMixin, Model):
    """One employee's file in one organisation: employment data and seniority."""

    __tablename__ = "staff_file"
    __table_args__ = (UniqueConstraint("organization_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person: Mapped[Person] = relationship(lazy="joined", foreign_keys=[person_id])
    contract_number: Mapped[str | None] = mapped_column(String(50))
    contract_date: Mapped[dt.date | None] = mapped_column(Date)
    unit: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    hired_on: Mapped[dt.date | None] = mapped_column(Date)
    seniority_years: Mapped[int] = mapped_column(Integer, default=0)
    seniority_months: Mapped[int] = mapped_column(Integer, default=0)
    seniority_as_of: Mapped[dt.date | None] = mapped_column(Date)
    category: Mapped[str | None] = mapped_column(String(40))
    dismissed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    dismissal_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def full_name(self) -> str:
        return self.person.full_name if self.person else ""

    @property
    def birth_date(self):
        return self.person.birth_date if self.person else None

    @property
    def seniority(self) -> str:
        return f"{self.seniority_years} / {self.seniority_months}"

    def __repr__(self) -> str:
        return self.full_name


class IdentityDocType(str, enum.Enum):
    id_card = "id_card"
    passport = "passport"
    residence_permit = "residence_permit"
    other = "other"


ID_DOC_LABELS = {
    IdentityDocType.id_card: _l("Identity card"),
    IdentityDocType.passport: _l("Passport"),
    IdentityDocType.residence_permit: _l("Residence permit"),
    IdentityDocType.other: _l("Other document"),
}


class IdentityDocument(StampMixin, Model):
    __tablename__ = "staff_identity_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    staff_file_id: Mapped[int] = mapped_column(ForeignKey("staff_file.id"), index=True)
    staff_file: Mapped[StaffFile] = relationship(lazy="joined")
    doc_type: Mapped[IdentityDocType] = mapped_column(
        Enum(IdentityDocType, native_enum=False, length=20))
    number: Mapped[str] = mapped_column(String(40))
    issued_by: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)


class Education(StampMixin, Model):
    __tablename__ = "staff_education"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    staff_file_id: Mapped[int] = mapped_column(ForeignKey("staff_file.id"), index=True)
    staff_file: Mapped[StaffFile] = relationship(lazy="joined")
    level: Mapped[str | None] = mapped_column(String(100))
    institution: Mapped[str] = mapped_column(String(300))
    specialty: Mapped[str | None] = mapped_column(String(200))
    qualification: Mapped[str | None] = mapped_column(String(200))
    graduated_year: Mapped[int | None] = mapped_column(Integer)
    diploma_number: Mapped[str | None] = mapped_column(String(50))


class Award(StampMixin, Model):
    __tablename__ = "staff_award"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    staff_file_id: Mapped[int] = mapped_column(ForeignKey("staff_file.id"), index=True)
    staff_file: Mapped[StaffFile] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(300))
    awarded_on: Mapped[dt.date | None] = mapped_column(Date)
    awarded_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))


class StaffEventKind(str, enum.Enum):
    leave = "leave"
    time_off = "time_off"
    recall = "recall"
    sick_leave = "sick_leave"
    dismissal = "dismissal"
    delegation = "delegation"


EVENT_LABELS = {
    StaffEventKind.leave: _l("Leave"),
    StaffEventKind.time_off: _l("Time off"),
    StaffEventKind.recall: _l("Recall from leave"),
    StaffEventKind.sick_leave: _l("Sick leave"),
    StaffEventKind.dismissal: _l("Dismissal"),
    StaffEventKind.delegation: _l("Delegation of duties"),
}


class StaffEvent(StampMixin, Model):
    """An event of a staff file. Recall points to the leave it interrupts; delegation names
    the employee who takes the duties; a sick leave may carry its scan."""

    __tablename__ = "staff_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    staff_file_id: Mapped[int] = mapped_column(ForeignKey("staff_file.id"), index=True)
    staff_file: Mapped[StaffFile] = relationship(lazy="joined", foreign_keys=[staff_file_id])
    kind: Mapped[StaffEventKind] = mapped_column(
        Enum(StaffEventKind, native_enum=False, length=20), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    illness: Mapped[str | None] = mapped_column(String(200))
    diagnosis: Mapped[str | None] = mapped_column(String(300))
    leave_id: Mapped[int | None] = mapped_column(ForeignKey("staff_event.id"))
    delegate_file_id: Mapped[int | None] = mapped_column(ForeignKey("staff_file.id"))
    delegate_file: Mapped[StaffFile | None] = relationship(lazy="joined",
                                                           foreign_keys=[delegate_file_id])
    duties: Mapped[str | None] = mapped_column(Text)
    recalled_on: Mapped[dt.date | None] = mapped_column(Date)
    scan_name: Mapped[str | None] = mapped_column(String(200))
    scan_mime: Mapped[str | None] = mapped_column(String(100))
    scan: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def kind_label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))

    @property
    def days(self) -> int | None:
        if self.end_date is None:
            return None
        end = self.end_date
        if self.recalled_on is not None and self.recalled_on <= end:
            end = self.recalled_on - dt.timedelta(days=1)
        return max((end - self.start_date).days + 1, 0)


class CourseStatus(str, enum.Enum):
    application = "application"
    planned = "planned"
    completed = "completed"


COURSE_STATUS_LABELS = {
    CourseStatus.application: _l("Employee's application"),
    CourseStatus.planned: _l("Planned"),
    CourseStatus.completed: _l("Completed"),
}


class CourseType(str, enum.Enum):
    scheduled = "scheduled"
    extraordinary = "extraordinary"


COURSE_TYPE_LABELS = {CourseType.scheduled: _l("Scheduled"),
                      CourseType.extraordinary: _l("Extraordinary")}


class Conclusion(str, enum.Enum):
    attested = "attested"
    not_attested = "not_attested"
    conditional = "conditional"


CONCLUSION_LABELS = {
    Conclusion.attested: _l("Attested"),
    Conclusion.not_attested: _l("Not attested"),
    Conclusion.conditional: _l("Attested on condition"),
}


class QualificationCourse(StampMixin, Model):
    """Qualification course: an application, then planned, then completed with certificate
    and attestation data (seed 004, figures 41-45)."""

    __tablename__ = "qualification_course"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    staff_file_id: Mapped[int] = mapped_column(ForeignKey("staff_file.id"), index=True)
    staff_file: Mapped[StaffFile] = relationship(lazy="joined")
    status: Mapped[CourseStatus] = mapped_column(
        Enum(CourseStatus, native_enum=False, length=20), index=True,
        default=CourseStatus.planned)
    course_type: Mapped[CourseType] = mapped_column(
        Enum(CourseType, native_enum=False, length=20), default=CourseType.scheduled)
    title: Mapped[str] = mapped_column(String(300))
    direction: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    certificate_number: Mapped[str | None] = mapped_column(String(50))
    certificate_date: Mapped[dt.date | None] = mapped_column(Date)
    issued_by: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(40))
    attestation_date: Mapped[dt.date | None] = mapped_column(Date)
    conclusion: Mapped[Conclusion | None] = mapped_column(
        Enum(Conclusion, native_enum=False, length=20))
