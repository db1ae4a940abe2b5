"""The class journal: marks and attendance per lesson and pupil, period and year grades,
temporary access grants, the change history and the journal settings of a school.

A *cell* is one pupil on one lesson (:class:`JournalCell`): it holds the attendance mark,
the teacher's remark and a ``version`` that grows with every change, so that two people
saving the same cell see a conflict instead of overwriting each other. The marks of a cell
are :class:`Mark` rows (several marks per lesson are allowed). Every change to a mark,
an attendance mark or a final grade is kept in :class:`JournalChange`.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.mixins import StampMixin, utcnow
from app.models.org import Organization
from app.models.people import Person
from app.models.study import AcademicYear, SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson


def _org_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("organization.id"), index=True)


class GradingPolicyName(str, enum.Enum):
    """Which rule turns a period's marks into the period grade (app/services/journal/grading.py)."""

    kg_weighted = "kg_weighted"
    kz_criteria = "kz_criteria"
    plain_average = "plain_average"


GRADING_POLICY_LABELS = {
    GradingPolicyName.kg_weighted: _l(
        "Kyrgyz regulation: intermediate and control marks weighted 70 to 30"),
    GradingPolicyName.kz_criteria: _l("Criteria-based assessment (Kazakhstan)"),
    GradingPolicyName.plain_average: _l("Plain average of marks"),
}


class MarkCategory(str, enum.Enum):
    """Category of a mark: intermediate / control (Kyrgyz regulation, plain average), or
    formative / summative for a section / summative for a term (Kazakh criteria-based)."""

    intermediate = "intermediate"
    control = "control"
    formative = "formative"
    summative_section = "sum_section"
    summative_term = "sum_term"


MARK_CATEGORY_LABELS = {
    MarkCategory.intermediate: _l("Intermediate"),
    MarkCategory.control: _l("Control"),
    MarkCategory.formative: _l("Formative"),
    MarkCategory.summative_section: _l("Summative for a section"),
    MarkCategory.summative_term: _l("Summative for a term"),
}

#: categories whose mark is a score out of a maximum (criteria-based assessment)
SCORED_CATEGORIES = {MarkCategory.summative_section, MarkCategory.summative_term}


class WorkType(str, enum.Enum):
    """Kind of work a mark was given for (seed 002, Appendix Д)."""

    oral = "oral"
    homework = "homework"
    test = "test"
    dictation = "dictation"
    essay = "essay"
    lab = "lab"
    practical = "practical"
    independent = "independent"
    control_work = "control_work"
    other = "other"


WORK_TYPE_LABELS = {
    WorkType.oral: _l("Oral answer"),
    WorkType.homework: _l("Homework"),
    WorkType.test: _l("Test"),
    WorkType.dictation: _l("Dictation"),
    WorkType.essay: _l("Essay"),
    WorkType.lab: _l("Laboratory work"),
    WorkType.practical: _l("Practical work"),
    WorkType.independent: _l("Independent work"),
    WorkType.control_work: _l("Control work"),
    WorkType.other: _l("Other"),
}


class Attendance(str, enum.Enum):
    """Attendance mark of a pupil on a lesson; no row / ``None`` means present."""

    absent = "absent"
    excused = "excused"
    ill = "ill"
    late = "late"


ATTENDANCE_LABELS = {
    Attendance.absent: _l("Absent"),
    Attendance.excused: _l("Absent for a valid reason"),
    Attendance.ill: _l("Ill"),
    Attendance.late: _l("Late"),
}


class JournalSettings(StampMixin, Model):
    """A school's journal rules: grading policy, edit window and criteria weights.

    Without a row, a Kazakh school uses ``kz_criteria`` and a Kyrgyz one ``kg_weighted``,
    with edit window ``2w`` (see ``app.services.journal.settings``)."""

    __tablename__ = "journal_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), unique=True)
    organization: Mapped[Organization] = relationship(lazy="joined")
    grading_policy: Mapped[GradingPolicyName] = mapped_column(
        Enum(GradingPolicyName, native_enum=False, length=20),
        default=GradingPolicyName.plain_average)
    #: app.services.journal.edit_window.EditWindow value: never, 1w, 2w, 3w, 1m
    edit_window: Mapped[str] = mapped_column(String(8), default="2w")
    #: criteria-based weights in percent (formative, summative for sections, for the term)
    weight_formative: Mapped[int] = mapped_column(Integer, default=25)
    weight_section: Mapped[int] = mapped_column(Integer, default=25)
    weight_term: Mapped[int] = mapped_column(Integer, default=50)


class LessonRecord(StampMixin, Model):
    """The lesson panel: homework, and the work type and category of the lesson's marks.

    The topic lives on :class:`~app.models.timetable.Lesson` (``topic``, ``plan_topic_id``)."""

    __tablename__ = "lesson_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), unique=True)
    lesson: Mapped[Lesson] = relationship(lazy="joined")
    homework: Mapped[str | None] = mapped_column(Text)
    homework_due: Mapped[dt.date | None] = mapped_column(Date)
    homework_minutes: Mapped[int | None] = mapped_column(Integer)
    work_type: Mapped[WorkType | None] = mapped_column(
        Enum(WorkType, native_enum=False, length=20))
    category: Mapped[MarkCategory] = mapped_column(
        Enum(MarkCategory, native_enum=False, length=20), default=MarkCategory.intermediate)
    #: the maximum score of a summative work (criteria-based assessment)
    max_score: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)


class JournalCell(StampMixin, Model):
    """One pupil on one lesson: attendance, remark and the version of the cell."""

    __tablename__ = "journal_cell"
    __table_args__ = (
        UniqueConstraint("lesson_id", "student_id", name="uq_journal_cell_lesson_student"),
        Index("ix_journal_cell_student_lesson", "student_id", "lesson_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"))
    lesson: Mapped[Lesson] = relationship(lazy="raise")
    student_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    student: Mapped[Person] = relationship(lazy="raise")
    attendance: Mapped[Attendance | None] = mapped_column(
        Enum(Attendance, native_enum=False, length=10))
    late_minutes: Mapped[int | None] = mapped_column(Integer)
    remark: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    marks: Mapped[list[Mark]] = relationship(
        back_populates="cell", lazy="raise", order_by="Mark.position")


class Mark(StampMixin, Model):
    """A mark in a cell. ``value`` is the mark (2-5) or, for a summative work, the score
    out of ``max_score``."""

    __tablename__ = "mark"
    __table_args__ = (Index("ix_mark_lesson_student", "lesson_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    cell_id: Mapped[int] = mapped_column(ForeignKey("journal_cell.id"), index=True)
    cell: Mapped[JournalCell] = relationship(back_populates="marks", lazy="raise")
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[MarkCategory] = mapped_column(
        Enum(MarkCategory, native_enum=False, length=20), default=MarkCategory.intermediate)
    work_type: Mapped[WorkType | None] = mapped_column(
        Enum(WorkType, native_enum=False, length=20))


class FinalKind(str, enum.Enum):
    period = "period"
    year = "year"


class FinalGrade(StampMixin, Model):
    """A pupil's grade for a subject in a period (``kind`` period) or the year (``kind`` year,
    ``period_id`` empty). ``value``: a mark "2".."5", "na" (not attested) or "ex" (exempt);
    ``computed``: what the policy computed when it was set; ``bonus``: the teacher's
    addition (Kyrgyz regulation, at most 0.3)."""

    __tablename__ = "final_grade"
    __table_args__ = (
        UniqueConstraint("student_id", "subject_id", "year_id", "kind", "period_id",
                         name="uq_final_grade_student_subject_period"),
        Index("ix_final_grade_class_subject", "class_id", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id"))
    year: Mapped[AcademicYear] = relationship(lazy="raise")
    kind: Mapped[FinalKind] = mapped_column(Enum(FinalKind, native_enum=False, length=8),
                                            default=FinalKind.period)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("study_period.id"))
    period: Mapped[StudyPeriod | None] = relationship(lazy="raise")
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    school_class: Mapped[SchoolClass] = relationship(lazy="raise")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    subject: Mapped[Subject] = relationship(lazy="raise")
    student_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    student: Mapped[Person] = relationship(lazy="raise")
    value: Mapped[str] = mapped_column(String(4))
    computed: Mapped[str | None] = mapped_column(String(12))
    bonus: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    version: Mapped[int] = mapped_column(Integer, default=1)


class AccessGrant(StampMixin, Model):
    """A temporary right to change a closed section of the journal (seed 003 §15): who
    granted it, to whom, which class, subject and period, until when and why. It expires
    by itself (``until`` is the last day it works); ``revoked_at`` ends it earlier."""

    __tablename__ = "access_grant"
    __table_args__ = (Index("ix_access_grant_grantee", "grantee_id", "until"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = _org_fk()
    organization: Mapped[Organization] = relationship(lazy="joined")
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    granted_by: Mapped[Person] = relationship(lazy="joined", foreign_keys=[granted_by_id])
    grantee_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    grantee: Mapped[Person] = relationship(lazy="joined", foreign_keys=[grantee_id])
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    subject: Mapped[Subject] = relationship(lazy="joined")
    period_id: Mapped[int] = mapped_column(ForeignKey("study_period.id"))
    period: Mapped[StudyPeriod] = relationship(lazy="joined")
    until: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    def active_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and day <= self.until

    @property
    def state(self) -> str:
        """"active", "expired" or "revoked" today (``clock.today()``)."""
        from app import clock

        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.active_on(clock.today()) else "expired"


GRANT_STATE_LABELS = {
    "active": _l("Active"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}


class ChangeKind(str, enum.Enum):
    mark = "mark"
    attendance = "attendance"
    remark = "remark"
    final = "final"


CHANGE_KIND_LABELS = {
    ChangeKind.mark: _l("Mark"),
    ChangeKind.attendance: _l("Attendance"),
    ChangeKind.remark: _l("Remark"),
    ChangeKind.final: _l("Final grade"),
}


class JournalChange(Model):
    """One change in the journal: who, when, what (old and new value as text), and the
    reason and grant when it was made under a temporary access grant. Never updated."""

    __tablename__ = "journal_change"
    __table_args__ = (
        Index("ix_journal_change_section", "organization_id", "class_id", "subject_id",
              "period_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    author: Mapped[Person | None] = relationship(lazy="raise", foreign_keys=[author_id])
    kind: Mapped[ChangeKind] = mapped_column(Enum(ChangeKind, native_enum=False, length=12))
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("study_period.id"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    student: Mapped[Person] = relationship(lazy="raise", foreign_keys=[student_id])
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("access_grant.id"))


class JournalOp(Model):
    """An operation id the browser's offline queue sent, so that a resent save is applied
    once: a replay returns the stored result instead of changing the cell again."""

    __tablename__ = "journal_op"
    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("journal_cell.id"))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

