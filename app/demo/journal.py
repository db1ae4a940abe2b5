"""Demo journal (issue 4): the first quarter of three demo classes filled with topics,
homework, marks of both kinds, attendance, remarks and a few changes under an access grant;
pupils, parents and the logins ``pupil1``, ``parent1``, ``parent2`` and ``classteacher1``.

- СОШ №12 г. Каскелен (Kazakhstan, criteria-based assessment): classes 5 А and 6 А.
  Formative marks 2-5, a summative for a section (out of 15 or 20) in each subject every
  fourth week and a summative for the term (out of 30) in the last week of the quarter.
- Кыргызская школа им. Ч. Айтматова: the school's journal settings switch it to the Kyrgyz
  regulation (``kg_weighted``); class 5 А gets intermediate marks and a control work
  every fourth week.
- ``parent1`` has two children (``pupil1`` in 5 А and a pupil of 6 А); ``parent2`` declined
  electronic access (summary sheet on paper); ``classteacher1`` is the class teacher of 5 А.
- The director gave the mathematics teacher of 5 А an access grant after the quarter; three
  marks were corrected under it (history rows with the reason and the grant).

Rows are written with bulk inserts (not through the grid's cell service) and with a seeded
random generator, so the demo is deterministic and takes a few seconds.
"""
from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import insert, select, update
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models.journal import (
    AccessGrant,
    Attendance,
    ChangeKind,
    GradingPolicyName,
    JournalCell,
    JournalChange,
    JournalSettings,
    LessonRecord,
    Mark,
    MarkCategory,
    WorkType,
)
from app.models.people import Membership, ParentLink, Person, Role, Sex
from app.models.study import ClassEnrollment, SchoolClass, StudyPeriod, Subject
from app.models.timetable import Lesson, LessonStatus

PUPILS_PER_CLASS = 12
FIRST_DAY = dt.date(2026, 9, 1)
GENERIC_TOPICS = ["Вводный урок", "Повторение пройденного", "Новый материал",
                  "Закрепление", "Практическая работа", "Работа с текстом",
                  "Решение задач", "Обобщение", "Проектная работа", "Самостоятельная работа"]
HOMEWORK = ["§{n}, вопросы 1-3", "Упр. {n}", "Задачи {n}, {m}", "Выучить правило, упр. {m}",
            "Прочитать с. {n}-{m}", "Подготовить сообщение", "Повторить §{n}"]
REMARKS = ["Отлично работал на уроке", "Не выполнил домашнее задание", "Забыл тетрадь",
           "Активно участвовал в обсуждении", "Мешал вести урок"]
GRANT_REASON = "Исправление ошибок после закрытия четверти (заявление учителя)"


_HASHES: dict[str, str] = {}


def _login(person: Person, login: str, logins: list, label: str, password: str) -> None:
    """Give ``person`` the demo login (register if needed). The demo password is hashed
    once for all four logins (hashing is the slow part of the demo)."""
    from app.security.scopes import system_scope
    from app.services import people as people_service

    sm = current_app.appbuilder.sm
    if person.user_id is None:
        people_service.register(system_scope(), person)
        user = sm.find_user(username=person.national_id)
    else:
        user = sm.get_user_by_id(person.user_id)
    user.username = login
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password)
    user.password = _HASHES[password]
    person.must_change_password = False
    person.temp_password = None
    logins.append((label, login, password))


def _class(school_id: int, parallel: int) -> SchoolClass | None:
    return db.session.scalars(select(SchoolClass).where(
        SchoolClass.organization_id == school_id, SchoolClass.parallel == parallel)
        .order_by(SchoolClass.id)).first()


def _pupils(school, cls: SchoolClass, gen, n: int) -> list[Person]:
    from app.security.scopes import system_scope
    from app.services import people as people_service

    people = []
    for _ in range(n):
        p = gen.person(adult=False)
        people_service.add_participant(system_scope(), school, Role.student, person=p)
        people.append(p)
    db.session.flush()
    db.session.add_all([ClassEnrollment(organization_id=school.id, class_id=cls.id,
                                        person_id=p.id, from_date=FIRST_DAY) for p in people])
    return people


def _enrolled_pupils(cls: SchoolClass) -> list[SimpleNamespace]:
    """Everyone enrolled in the class now: the demo journal's pupils and those the pupils'
    demo (app/demo/pupils.py) placed there."""
    ids = db.session.scalars(select(ClassEnrollment.person_id).where(
        ClassEnrollment.class_id == cls.id, ClassEnrollment.to_date.is_(None))
        .order_by(ClassEnrollment.person_id)).all()
    return [SimpleNamespace(id=i) for i in dict.fromkeys(ids)]


def _category(kz: bool, week_index: int, last_week: bool, first_of_week: bool):
    """(category, max score) of a lesson's marks: one summative / control per subject
    every fourth week, the term summative in the last week."""
    if not first_of_week:
        return (MarkCategory.formative, None) if kz else (MarkCategory.intermediate, None)
    if kz and last_week:
        return MarkCategory.summative_term, 30
    if week_index % 4 == 3:
        return (MarkCategory.summative_section, 20 if week_index % 8 == 3 else 15) if kz \
            else (MarkCategory.control, None)
    return (MarkCategory.formative, None) if kz else (MarkCategory.intermediate, None)


def _mark_value(rng: random.Random, ability: float, max_score: int | None) -> int:
    if max_score:
        return max(0, min(max_score, round(max_score * rng.gauss(ability, 0.12))))
    return max(2, min(5, round(2 + 3 * rng.gauss(ability, 0.18))))


def _lesson_panels(cls: SchoolClass, lessons, q1: StudyPeriod, rng: random.Random,
                   kz: bool) -> tuple[list, list]:
    """Topics for lessons without one and the lesson panels (homework, category)."""
    last_monday = q1.ends_on - dt.timedelta(days=q1.ends_on.weekday())
    seen_week: set[tuple[int, int]] = set()
    counter: dict[int, int] = {}
    topics, records = [], []
    plain = MarkCategory.formative if kz else MarkCategory.intermediate
    for lid, day, subject_id, _teacher, topic, no_marks in lessons:
        counter[subject_id] = n = counter.get(subject_id, 0) + 1
        if not topic:
            topics.append({"id": lid, "topic": GENERIC_TOPICS[(n - 1) % len(GENERIC_TOPICS)]})
        week = (day - q1.starts_on).days // 7
        first = (subject_id, week) not in seen_week
        seen_week.add((subject_id, week))
        category, max_score = ((plain, None) if no_marks else
                               _category(kz, week, day >= last_monday, first))
        summative = max_score is not None or category == MarkCategory.control
        records.append({
            "organization_id": cls.organization_id, "lesson_id": lid,
            "homework": rng.choice(HOMEWORK).format(n=n + 3, m=n * 2 + 5),
            "homework_due": day + dt.timedelta(days=rng.choice([1, 2, 7])),
            "homework_minutes": rng.choice([15, 20, 30, 40]), "category": category,
            "max_score": max_score,
            "work_type": WorkType.control_work if summative else rng.choice(
                [WorkType.oral, WorkType.homework, WorkType.independent])})
    return topics, records


def _attendance(rng: random.Random):
    r = rng.random()
    if r < 0.03:
        return Attendance.absent, None
    if r < 0.05:
        return Attendance.ill, None
    if r < 0.06:
        return Attendance.excused, None
    if r < 0.09:
        return Attendance.late, rng.choice([5, 10, 15])
    return None, None


def _cells(cls: SchoolClass, lessons, records, pupils, rng: random.Random) -> tuple[list, dict]:
    """The pupils' cells (attendance, remark) and marks of every lesson."""
    ability = {p.id: rng.uniform(0.45, 0.95) for p in pupils}
    cells, marks_of = [], {}
    for (lid, _day, _s, _t, _topic, no_marks), rec in zip(lessons, records, strict=True):
        summative = rec["max_score"] is not None or rec["category"] == MarkCategory.control
        for p in pupils:
            att, late = _attendance(rng)
            gets_mark = not no_marks and att in (None, Attendance.late) and (
                summative or rng.random() < 0.25)
            remark = rng.choice(REMARKS) if rng.random() < 0.01 else None
            if not (att or gets_mark or remark):
                continue
            cells.append({"organization_id": cls.organization_id, "lesson_id": lid,
                          "student_id": p.id, "attendance": att, "late_minutes": late,
                          "remark": remark, "version": 1 + bool(att) + bool(gets_mark)})
            if gets_mark:
                marks_of[(lid, p.id)] = (_mark_value(rng, ability[p.id], rec["max_score"]),
                                         rec["max_score"], rec["category"])
    return cells, marks_of


def _history(cls: SchoolClass, q1: StudyPeriod, info: dict, cells: list, marks_of: dict,
             user_of: dict) -> list[dict]:
    """History rows of the first entry of each attendance mark, mark and remark, in the
    texts of the grid's cell service ("4", "17/20", "late 10")."""
    history = []
    for c in cells:
        lid, day, subject_id, teacher_id = info[c["lesson_id"]][:4]
        common = {"organization_id": cls.organization_id, "author_id": teacher_id,
                  "user_id": user_of.get(teacher_id), "class_id": cls.id,
                  "subject_id": subject_id, "period_id": q1.id, "lesson_id": lid,
                  "student_id": c["student_id"], "old_value": ""}
        at = dt.datetime.combine(day, dt.time(14, 0))
        if c["attendance"]:
            late = f" {c['late_minutes']}" if c["late_minutes"] else ""
            history.append(dict(common, at=at, kind=ChangeKind.attendance,
                                new_value=c["attendance"].value + late))
        mark = marks_of.get((lid, c["student_id"]))
        if mark:
            text = f"{mark[0]}/{mark[1]}" if mark[1] else str(mark[0])
            history.append(dict(common, at=at + dt.timedelta(minutes=5), kind=ChangeKind.mark,
                                new_value=text))
        if c["remark"]:
            history.append(dict(common, at=at + dt.timedelta(minutes=6),
                                kind=ChangeKind.remark, new_value=c["remark"]))
    return history


def _fill_class(cls: SchoolClass, pupils: list, rng: random.Random, kz: bool,
                user_of: dict) -> dict:
    """Topics, homework, marks, attendance and remarks of the class's first quarter."""
    q1 = db.session.scalars(select(StudyPeriod).where(
        StudyPeriod.organization_id == cls.organization_id)
        .order_by(StudyPeriod.starts_on)).first()
    lessons = db.session.execute(
        select(Lesson.id, Lesson.date, Lesson.subject_id, Lesson.teacher_id, Lesson.topic,
               Subject.without_attestation)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Lesson.class_id == cls.id, Lesson.period_id == q1.id)
        .order_by(Lesson.date, Lesson.number)).all()
    if not lessons:
        return {"lessons": 0}
    topics, records = _lesson_panels(cls, lessons, q1, rng, kz)
    cells, marks_of = _cells(cls, lessons, records, pupils, rng)
    if topics:
        db.session.execute(update(Lesson), topics)
    db.session.execute(insert(LessonRecord), records)
    if cells:
        db.session.execute(insert(JournalCell), cells)
    cell_ids = {(lid, sid): cid for cid, lid, sid in db.session.execute(
        select(JournalCell.id, JournalCell.lesson_id, JournalCell.student_id)
        .where(JournalCell.lesson_id.in_([x[0] for x in lessons])))}
    work = {r["lesson_id"]: r["work_type"] for r in records}
    mark_rows = [{"organization_id": cls.organization_id, "cell_id": cell_ids[(lid, sid)],
                  "lesson_id": lid, "student_id": sid, "position": 0, "value": value,
                  "max_score": max_score, "category": category, "work_type": work[lid]}
                 for (lid, sid), (value, max_score, category) in marks_of.items()]
    history = _history(cls, q1, {x[0]: x for x in lessons}, cells, marks_of, user_of)
    if mark_rows:
        db.session.execute(insert(Mark), mark_rows)
    if history:
        db.session.execute(insert(JournalChange), history)
    return {"lessons": len(lessons), "cells": len(cells), "marks": len(mark_rows),
            "changes": len(history), "period": q1}


def _substitutions(cls: SchoolClass, rng: random.Random) -> None:
    """A cancelled lesson and a substituted one in the class's quarter, for the diary."""
    rows = db.session.execute(
        select(Lesson.id, Lesson.teacher_id).where(Lesson.class_id == cls.id)
        .order_by(Lesson.date, Lesson.number).limit(40)).all()
    if len(rows) < 30:
        return
    other = next((t for _, t in rows if t != rows[25][1]), None)
    db.session.execute(update(Lesson), [
        {"id": rows[18][0], "status": LessonStatus.cancelled, "reason": "Карантин по гриппу"},
        {"id": rows[25][0], "status": LessonStatus.substituted,
         "substitute_teacher_id": other, "reason": "Болезнь учителя"},
    ])


def _grant_changes(cls: SchoolClass, period: StudyPeriod, director_id: int | None,
                   user_of: dict) -> int:
    """The director's access grant to the mathematics teacher of the class after the
    quarter, and three marks corrected under it (history with reason and grant)."""
    math = db.session.scalars(select(Subject).where(
        Subject.organization_id == cls.organization_id, Subject.name == "Математика")).first()
    if math is None or director_id is None:
        return 0
    marks = db.session.execute(
        select(Mark.id, Mark.cell_id, Mark.value, Mark.max_score, Mark.lesson_id,
               Mark.student_id, Lesson.teacher_id)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .where(Lesson.class_id == cls.id, Lesson.subject_id == math.id,
               Mark.max_score.is_(None), Mark.value < 5)
        .order_by(Lesson.date, Mark.student_id).limit(3)).all()
    if not marks:
        return 0
    teacher_id = marks[0][6]
    grant = AccessGrant(organization_id=cls.organization_id, granted_by_id=director_id,
                        grantee_id=teacher_id, class_id=cls.id, subject_id=math.id,
                        period_id=period.id, until=period.ends_on + dt.timedelta(days=21),
                        reason=GRANT_REASON)
    db.session.add(grant)
    db.session.flush()
    at = dt.datetime.combine(period.ends_on + dt.timedelta(days=6), dt.time(10, 30))
    history = []
    for i, (mid, cell_id, value, _max, lid, sid, _t) in enumerate(marks):
        db.session.execute(update(Mark), [{"id": mid, "value": value + 1}])
        db.session.execute(update(JournalCell), [{"id": cell_id, "version": 3 + i}])
        history.append({"organization_id": cls.organization_id,
                        "at": at + dt.timedelta(minutes=i), "author_id": teacher_id,
                        "user_id": user_of.get(teacher_id), "kind": ChangeKind.mark,
                        "class_id": cls.id, "subject_id": math.id, "period_id": period.id,
                        "lesson_id": lid, "student_id": sid, "old_value": str(value),
                        "new_value": str(value + 1), "grant_id": grant.id,
                        "reason": ["Ошибка при вводе оценки", "Работа переписана",
                                   "Оценка выставлена не тому ученику"][i % 3]})
    db.session.execute(insert(JournalChange), history)
    return len(history)


def build_journal_demo(schools, gen, rng: random.Random, logins: list,
                       password: str) -> dict:
    """Fill the demo journal. Skips a school whose journal already has cells."""
    totals = {"cells": 0, "marks": 0, "changes": 0}
    user_of = dict(db.session.execute(
        select(Person.id, Person.user_id).where(Person.user_id.is_not(None))).all())
    kz_school, kg_school = schools[0], schools[-1]
    if db.session.scalars(select(JournalCell.id).where(
            JournalCell.organization_id.in_([kz_school.id, kg_school.id])).limit(1)).first():
        return totals
    db.session.add(JournalSettings(organization_id=kg_school.id,
                                   grading_policy=GradingPolicyName.kg_weighted,
                                   edit_window="2w"))
    c5, c6, kg5 = _class(kz_school.id, 5), _class(kz_school.id, 6), _class(kg_school.id, 5)
    classes = [(kz_school, c5, True), (kz_school, c6, True), (kg_school, kg5, False)]
    pupils = {}
    for school, cls, _kz in classes:
        if cls is not None:
            pupils[cls.id] = _pupils(school, cls, gen, PUPILS_PER_CLASS)
    db.session.flush()
    filled = {}
    for _school, cls, kz in classes:
        if cls is None:
            continue
        _substitutions(cls, rng)
        filled[cls.id] = _fill_class(cls, _enrolled_pupils(cls), rng, kz, user_of)
        for k in totals:
            totals[k] += filled[cls.id].get(k, 0)
    if c5 is None or c6 is None:
        return totals
    director = db.session.scalars(select(Membership.person_id).where(
        Membership.organization_id == kz_school.id, Membership.role == Role.director)
        .order_by(Membership.id)).first()
    if filled[c5.id].get("period") is not None:
        totals["changes"] += _grant_changes(c5, filled[c5.id]["period"], director, user_of)
    _family(kz_school, c5, pupils[c5.id], pupils[c6.id], gen, logins, password)
    return totals


def _relation(parent: Person) -> str:
    return "мать" if parent.sex == Sex.F else "отец"


def _family(school, c5: SchoolClass, pupils5: list, pupils6: list, gen, logins: list,
            password: str) -> None:
    """Parents and the pupil, parent and class teacher logins."""
    from app.security.scopes import system_scope
    from app.services import people as people_service

    label = school.short_name
    parent1 = people_service.add_participant(system_scope(), school, Role.parent,
                                             person=gen.person()).person
    parent2 = people_service.add_participant(system_scope(), school, Role.parent,
                                             person=gen.person()).person
    db.session.flush()
    # consents recorded at the start of the year (seed 003 §57); parent2 declined
    recorded = {"consent_date": dt.date(2026, 9, 1), "consent_how": "Заявление"}
    db.session.add_all([
        ParentLink(parent_id=parent1.id, student_id=pupils5[0].id,
                   relation=_relation(parent1), electronic_consent=True, **recorded),
        ParentLink(parent_id=parent1.id, student_id=pupils6[0].id,
                   relation=_relation(parent1), electronic_consent=True, **recorded),
        ParentLink(parent_id=parent2.id, student_id=pupils5[1].id,
                   relation=_relation(parent2), electronic_consent=False, **recorded),
    ])
    _login(pupils5[0], "pupil1", logins, f"{Role.student.value} — {label} (5 А)", password)
    _login(parent1, "parent1", logins, f"{Role.parent.value} — {label} (5 А, 6 А)", password)
    _login(parent2, "parent2", logins,
           f"{Role.parent.value} — {label} (declined electronic access)", password)
    if c5.class_teacher_id:
        teacher = db.session.get(Person, c5.class_teacher_id)
        _login(teacher, "classteacher1", logins, f"{Role.class_teacher.value} — {label} (5 А)",
               password)
