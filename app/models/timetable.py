"""Bell schedules, the weekly timetable, dated lessons and calendar-thematic plans."""
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
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.mixins import StampMixin
from app.models.org import Organization
from app.models.people import Person
from app.models.study import Room, SchoolClass, StudyPeriod, Subgroup, Subject

WEEKDAY_LABELS = {1: _l("Monday"), 2: _l("Tuesday"), 3: _l("Wednesday"), 4: _l("Thursday"),
                  5: _l("Friday"), 6: _l("Saturday")}


class LessonStatus(str, enum.Enum):
    planned = "planned"
    held = "held"
    cancelled = "cancelled"
    substituted = "substituted"


LESSON_STATUS_LABELS = {LessonStatus.planned: _l("Planned"), LessonStatus.held: _l("Held"),
                        LessonStatus.cancelled: _l("Cancelled"),
                        LessonStatus.substituted: _l("Substituted")}


class BellSchedule(StampMixin, Model):
    __tablename__ = "bell_schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(100))
    shift: Mapped[int] = mapped_column(Integer, default=1)

    def __repr__(self) -> str:
        return self.name


class BellSlot(StampMixin, Model):
    """Lesson number N of a bell schedule, from a time to a time."""

    __tablename__ = "bell_slot"
    __table_args__ = (UniqueConstraint("schedule_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("bell_schedule.id"), index=True)
    schedule: Mapped[BellSchedule] = relationship(lazy="joined")
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)

    def __repr__(self) -> str:
        return f"{self.schedule.name if self.schedule else ''} {self.number}. " \
               f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class TimetableEntry(StampMixin, Model):
    """A weekly lesson: period, weekday, bell slot, class (or one of its subgroups), subject,
    teacher, room."""

    __tablename__ = "timetable_entry"
    __table_args__ = (Index("ix_timetable_entry_period_day", "period_id", "weekday"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"), index=True)
    period: Mapped[StudyPeriod] = relationship(lazy="joined")
    weekday: Mapped[int] = mapped_column(Integer)
    slot_id: Mapped[int] = mapped_column(ForeignKey("bell_slot.id"), index=True)
    slot: Mapped[BellSlot] = relationship(lazy="joined")
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroup.id"), index=True)
    subgroup: Mapped[Subgroup | None] = relationship(lazy="joined")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    teacher_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    teacher: Mapped[Person] = relationship(lazy="joined")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    room: Mapped[Room | None] = relationship(lazy="joined")


class Lesson(StampMixin, Model):
    """A dated lesson generated from the weekly timetable; the journal attaches marks and
    attendance to it."""

    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("entry_id", "date", name="uq_lesson_entry_date"),
        Index("ix_lesson_org_class_subject_date", "organization_id", "class_id", "subject_id",
              "date"),
        Index("ix_lesson_teacher_date", "teacher_id", "date"),
        Index("ix_lesson_period_date", "period_id", "date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"))
    period: Mapped[StudyPeriod] = relationship(lazy="joined")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("timetable_entry.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroup.id"), index=True)
    subgroup: Mapped[Subgroup | None] = relationship(lazy="joined")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    teacher_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    teacher: Mapped[Person] = relationship(lazy="joined", foreign_keys=[teacher_id])
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    room: Mapped[Room | None] = relationship(lazy="joined")
    status: Mapped[LessonStatus] = mapped_column(
        Enum(LessonStatus, native_enum=False, length=12), default=LessonStatus.planned,
        index=True)
    substitute_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"),
                                                              index=True)
    substitute_teacher: Mapped[Person | None] = relationship(
        lazy="joined", foreign_keys=[substitute_teacher_id])
    reason: Mapped[str | None] = mapped_column(String(300))
    topic: Mapped[str | None] = mapped_column(String(500))
    plan_topic_id: Mapped[int | None] = mapped_column(ForeignKey("plan_topic.id"))

    @property
    def acting_teacher_id(self) -> int:
        return self.substitute_teacher_id or self.teacher_id

    def __repr__(self) -> str:
        return f"{self.date} {self.number}. {self.school_class} {self.subject}"


class LessonPlan(StampMixin, Model):
    """A calendar-thematic plan: a subject for a parallel or a class in a period."""

    __tablename__ = "lesson_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    name: Mapped[str] = mapped_column(String(200))
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"), index=True)
    period: Mapped[StudyPeriod] = relationship(lazy="joined")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    subject: Mapped[Subject] = relationship(lazy="joined")
    parallel: Mapped[int | None] = mapped_column(Integer)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    school_class: Mapped[SchoolClass | None] = relationship(lazy="joined")
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    teacher: Mapped[Person | None] = relationship(lazy="joined")
    topics: Mapped[list[PlanTopic]] = relationship(back_populates="plan", lazy="selectin",
                                                   order_by="PlanTopic.position")

    @property
    def total_hours(self) -> int:
        return sum(t.hours for t in self.topics)

    def __repr__(self) -> str:
        return self.name


class PlanTopic(StampMixin, Model):
    __tablename__ = "plan_topic"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("lesson_plan.id"), index=True)
    plan: Mapped[LessonPlan] = relationship(back_populates="topics", lazy="joined")
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    hours: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"{self.position}. {self.title}"
