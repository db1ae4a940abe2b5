"""Demo period grades (jgrades): after the demo journal is filled (app/demo/journal.py), the
first quarter of some classes is closed with the grades the school's policy computes, so the
grid shows closed sections and the final-grade columns. Other classes stay open for the
teacher to confirm. Deterministic; a no-op without marks or when grades exist."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models.journal import ChangeKind, FinalGrade, FinalKind, JournalChange, Mark
from app.models.study import SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson
from app.services.journal.queries import section_finals, section_pupil_ids

#: (index of the school in the demo list, parallel) of the classes whose first quarter closes
CLOSED_CLASSES = ((-1, 5), (0, 6))


def _classes(schools) -> list[int]:
    ids = []
    for index, parallel in CLOSED_CLASSES:
        if not schools:
            break
        school = schools[index]
        cid = db.session.scalars(select(SchoolClass.id).where(
            SchoolClass.organization_id == school.id, SchoolClass.parallel == parallel)
            .order_by(SchoolClass.id).limit(1)).first()
        if cid is not None:
            ids.append(cid)
    return ids


def build_grades_demo(schools) -> int:
    """Set the computed first-quarter grades of the :data:`CLOSED_CLASSES`; returns how many."""
    class_ids = _classes(schools)
    if not class_ids or db.session.scalars(select(FinalGrade.id).where(
            FinalGrade.class_id.in_(class_ids)).limit(1)).first() is not None:
        return 0
    sections = db.session.execute(
        select(Lesson.class_id, Lesson.subject_id, Lesson.period_id).join(
            Mark, Mark.lesson_id == Lesson.id).where(Lesson.class_id.in_(class_ids))
        .distinct().order_by(Lesson.class_id, Lesson.subject_id, Lesson.period_id)).all()
    first_periods: dict[int, int] = {}
    done = 0
    now = dt.datetime(2026, 11, 2, 9, 0)
    for class_id, subject_id, period_id in sections:
        first_periods.setdefault(class_id, period_id)
        subject = db.session.get(Subject, subject_id)
        if period_id != first_periods[class_id] or subject.without_attestation:
            continue
        period = db.session.get(StudyPeriod, period_id)
        teacher = db.session.scalars(select(Lesson.teacher_id).where(
            Lesson.class_id == class_id, Lesson.subject_id == subject_id,
            Lesson.period_id == period_id).order_by(Lesson.date.desc()).limit(1)).first()
        ids = section_pupil_ids(class_id, period)
        for sid, row in section_finals(class_id, subject_id, period_id, ids).items():
            if row["suggested"] is None or row["final"] is not None:
                continue
            db.session.add(FinalGrade(
                organization_id=subject.organization_id, year_id=period.year_id,
                kind=FinalKind.period, period_id=period_id, class_id=class_id,
                subject_id=subject_id, student_id=sid, value=row["suggested"],
                computed=row["computed"], version=1))
            db.session.add(JournalChange(
                organization_id=subject.organization_id, at=now, author_id=teacher,
                kind=ChangeKind.final, class_id=class_id, subject_id=subject_id,
                period_id=period_id, student_id=sid, new_value=row["suggested"]))
            done += 1
    db.session.flush()
    return done
