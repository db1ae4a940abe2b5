"""Helpers of the grades tests (jgrades): marks in the journal factory's lessons, settings."""
from __future__ import annotations

from app.extensions import db
from app.models.journal import GradingPolicyName, JournalCell, JournalSettings, Mark, MarkCategory


def set_policy(school_id: int, policy: str, **weights) -> JournalSettings:
    row = JournalSettings(organization_id=school_id, grading_policy=GradingPolicyName(policy),
                          edit_window="2w", **weights)
    db.session.add(row)
    db.session.commit()
    return row


def put_marks(lessons, student, marks) -> None:
    """``marks``: (value, category[, max_score]) tuples, one per lesson in order."""
    for lesson, spec in zip(lessons, marks, strict=False):
        value, category, *rest = spec
        cell = db.session.query(JournalCell).filter_by(lesson_id=lesson.id,
                                                       student_id=student.id).first()
        if cell is None:
            cell = JournalCell(organization_id=lesson.organization_id, lesson_id=lesson.id,
                               student_id=student.id)
            db.session.add(cell)
            db.session.flush()
        db.session.add(Mark(organization_id=lesson.organization_id, cell_id=cell.id,
                            lesson_id=lesson.id, student_id=student.id, value=value,
                            category=MarkCategory(category),
                            max_score=rest[0] if rest else None))
    db.session.commit()


KG_EXAMPLE = [(4, "intermediate"), (5, "intermediate"), (4, "intermediate"),
              (4, "intermediate"), (5, "intermediate"), (4, "intermediate"),
              (4, "control"), (4, "control")]
