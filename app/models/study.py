"""Study process set-up: academic years and periods, classes and subgroups, subjects,
buildings and rooms, subject links and the working curriculum."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.mixins import StampMixin
from app.models.org import Organization
from app.models.people import Person


def _org_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("organization.id"), index=True)


class PeriodKind(str, enum.Enum):
    quarter = "quarter"
    semester = "semester"
    trimester = "trimester"


PERIOD_KIND_LABELS = {PeriodKind.quarter: _l("Quarter"), PeriodKind.semester: _l("Semester"),
                      PeriodKind.trimester: _l("Trimester")}


class SplitKind(str, enum.Enum):
    """How a class is divided for a subject (seed 004, figure 12)."""

    main = "main"
    two = "two"
    three = "three"
    boys_girls = "boys_girls"
    other = "other"
    individual = "individual"


SPLIT_LABELS = {SplitKind.main: _l("Main (whole class)"), SplitKind.two: _l("Two subgroups"),
                SplitKind.three: _l("Three subgroups"),
                SplitKind.boys_girls: _l("Boys / girls"), SplitKind.other: _l("Other"),
                SplitKind.individual: _l("Individual")}

#: most subgroups a split allows (None: no limit)
SPLIT_SIZES = {SplitKind.main: 0, SplitKind.two: 2, SplitKind.three: 3,
               SplitKind.boys_girls: 2, SplitKind.other: None, SplitKind.individual: None}


class StudySettings(StampMixin, Model):
    """A school's study settings: lesson days per week (5 or 6), default lesson length."""

    __tablename__ = "study_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), unique=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    lesson_days: Mapped[int] = mapped_column(Integer, default=5)
    lesson_minutes: Mapped[int] = mapped_column(Integer, default=45)


class AcademicYear(StampMixin, Model):
    __tablename__ = "academic_year"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    organization: Mapped[Organization] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)

    def __repr__(self) -> str:
        return self.name


class StudyPeriod(StampMixin, Model):
    """A quarter, semester or trimester of an academic year."""

    __tablename__ = "study_period"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    year: Mapped[AcademicYear] = relationship(lazy="joined")
    kind: Mapped[PeriodKind] = mapped_column(Enum(PeriodKind, native_enum=False, length=12),
                                             default=PeriodKind.quarter)
    name: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"{self.name} ({self.year.name})" if self.year is not None else self.name


class Subject(StampMixin, Model):
    __tablename__ = "subject"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    organization: Mapped[Organization] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(150))
    short_name: Mapped[str | None] = mapped_column(String(40))
    without_attestation: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return self.name


class Building(StampMixin, Model):
    __tablename__ = "building"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    organization: Mapped[Organization] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(150))
    address: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        return self.name


class Room(StampMixin, Model):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("building_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    building: Mapped[Building] = relationship(lazy="joined")
    number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(150))
    capacity: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"{self.number} {self.name}" if self.name else self.number


class SchoolClass(StampMixin, Model):
    """A class of one academic year: parallel (0-12) and letter, per language (seed 004 fig. 20)."""

    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("year_id", "parallel", "letter_ru"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"), index=True)
    year: Mapped[AcademicYear] = relationship(lazy="joined")
    parallel: Mapped[int] = mapped_column(Integer, index=True)
    letter_ru: Mapped[str] = mapped_column(String(10))
    letter_kk: Mapped[str] = mapped_column(String(10))
    letter_en: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5), default="ru")
    profile: Mapped[str | None] = mapped_column(String(100))
    shift: Mapped[int] = mapped_column(Integer, default=1)
    home_room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    home_room: Mapped[Room | None] = relationship(lazy="joined")
    class_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    class_teacher: Mapped[Person | None] = relationship(lazy="joined")
    home_schooling: Mapped[bool] = mapped_column(Boolean, default=False)

    def name(self, locale: str | None = None) -> str:
        from app.i18n import current_locale

        loc = locale or current_locale()
        letter = {"kk": self.letter_kk, "en": self.letter_en}.get(loc) or self.letter_ru
        return f"{self.parallel} {letter}"

    def __repr__(self) -> str:
        return self.name()


class ClassEnrollment(StampMixin, Model):
    """A pupil in a class from a date to a date (open while ``to_date`` is empty)."""

    __tablename__ = "class_enrollment"
    __table_args__ = (Index("ix_class_enrollment_class_dates", "class_id", "from_date",
                            "to_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person: Mapped[Person] = relationship(lazy="joined")
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)


class Subgroup(StampMixin, Model):
    """A group of a class for one subject (subgroup 1, boys, individual ...)."""

    __tablename__ = "subgroup"
    __table_args__ = (UniqueConstraint("class_id", "subject_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    kind: Mapped[SplitKind] = mapped_column(Enum(SplitKind, native_enum=False, length=12),
                                            default=SplitKind.two)
    name: Mapped[str] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"{self.school_class} {self.subject}: {self.name}"


class SubgroupMember(StampMixin, Model):
    __tablename__ = "subgroup_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    subgroup_id: Mapped[int] = mapped_column(ForeignKey("subgroup.id"), index=True)
    subgroup: Mapped[Subgroup] = relationship(lazy="joined")
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person: Mapped[Person] = relationship(lazy="joined")
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)


class SubjectTeacher(StampMixin, Model):
    """Which subjects a teacher may teach."""

    __tablename__ = "subject_teacher"
    __table_args__ = (UniqueConstraint("subject_id", "teacher_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    teacher_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    teacher: Mapped[Person] = relationship(lazy="joined")


class SubjectRoom(StampMixin, Model):
    """Rooms suited for a subject (laboratories, gym...)."""

    __tablename__ = "subject_room"
    __table_args__ = (UniqueConstraint("subject_id", "room_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    room: Mapped[Room] = relationship(lazy="joined")


class SubjectClass(StampMixin, Model):
    """Subjects taught in a class (the catalogue the curriculum picks from)."""

    __tablename__ = "subject_class"
    __table_args__ = (UniqueConstraint("subject_id", "class_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")


class CurriculumItem(StampMixin, Model):
    """One subject of a class's working curriculum in one period (seed 004 §1, fig. 7-12)."""

    __tablename__ = "curriculum_item"
    __table_args__ = (UniqueConstraint("class_id", "period_id", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"), index=True)
    period: Mapped[StudyPeriod] = relationship(lazy="joined")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    weekly_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    variative: Mapped[bool] = mapped_column(Boolean, default=False)
    lesson_minutes: Mapped[int] = mapped_column(Integer, default=45)
    split: Mapped[SplitKind] = mapped_column(Enum(SplitKind, native_enum=False, length=12),
                                             default=SplitKind.main)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    teacher: Mapped[Person | None] = relationship(lazy="joined")
    subgroup_teachers: Mapped[list[CurriculumSubgroupTeacher]] = relationship(
        back_populates="item", lazy="selectin")

    def __repr__(self) -> str:
        return f"{self.school_class} - {self.subject} ({self.period})"


class CurriculumSubgroupTeacher(StampMixin, Model):
    """The teacher of one subgroup for a split subject."""

    __tablename__ = "curriculum_subgroup_teacher"
    __table_args__ = (UniqueConstraint("item_id", "subgroup_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    item_id: Mapped[int] = mapped_column(ForeignKey("curriculum_item.id"), index=True)
    item: Mapped[CurriculumItem] = relationship(back_populates="subgroup_teachers",
                                                lazy="joined")
    subgroup_id: Mapped[int] = mapped_column(ForeignKey("subgroup.id"), index=True)
    subgroup: Mapped[Subgroup] = relationship(lazy="joined")
    teacher_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    teacher: Mapped[Person] = relationship(lazy="joined")


class WeekCorrection(StampMixin, Model):
    """A per-week correction of the graph of the study process: lessons in that week."""

    __tablename__ = "week_correction"
    __table_args__ = (UniqueConstraint("item_id", "week_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    item_id: Mapped[int] = mapped_column(ForeignKey("curriculum_item.id"), index=True)
    item: Mapped[CurriculumItem] = relationship(lazy="joined")
    week_start: Mapped[dt.date] = mapped_column(Date)
    lessons: Mapped[int] = mapped_column(Integer)
