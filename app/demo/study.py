"""Demo study process (issue 3): a year with four quarters, classes 1-11 in each school,
subjects, curricula with the school's demo teachers, bell schedules for two shifts, a
conflict-free weekly timetable and the dated lessons of the first quarter, and plans for a
few subjects. Built with plain inserts to keep ``flask kundelik demo`` fast."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from app.extensions import db
from app.models.people import Membership, Role
from app.models.study import (
    AcademicYear,
    Building,
    CurriculumItem,
    PeriodKind,
    Room,
    SchoolClass,
    StudyPeriod,
    StudySettings,
    Subject,
)
from app.models.timetable import BellSchedule, BellSlot, LessonPlan, PlanTopic, TimetableEntry
from app.security.scopes import system_scope
from app.services.study.timetable import generate_lessons

YEAR = ("2026-2027", dt.date(2026, 9, 1), dt.date(2027, 5, 31))
QUARTERS = [("1 четверть", dt.date(2026, 9, 1), dt.date(2026, 10, 30)),
            ("2 четверть", dt.date(2026, 11, 9), dt.date(2026, 12, 29)),
            ("3 четверть", dt.date(2027, 1, 12), dt.date(2027, 3, 19)),
            ("4 четверть", dt.date(2027, 3, 30), dt.date(2027, 5, 25))]
LETTERS = ("А", "А", "A")

#: weekly hours per level (parallels 1-4, 5-9, 10-11); Russian subject names as in seed 004
PRIMARY = {"Казахский язык": 4, "Русский язык": 3, "Математика": 4, "Познание мира": 1,
           "Художественный труд": 1, "Музыка": 1, "Физическая культура": 3,
           "Английский язык": 2}
MIDDLE = {"Казахский язык": 3, "Казахская литература": 2, "Русский язык": 2,
          "Английский язык": 3, "Математика": 5, "История Казахстана": 2, "География": 2,
          "Биология": 2, "Информатика": 1, "Физическая культура": 3}
SENIOR = {"Алгебра": 3, "Геометрия": 2, "Физика": 3, "Химия": 2, "Биология": 2,
          "История Казахстана": 2, "Казахский язык": 2, "Русский язык": 2,
          "Английский язык": 3, "Информатика": 2, "Физическая культура": 3}
OPTIONAL = "Самопознание"

SHIFT_STARTS = {1: dt.time(8, 0), 2: dt.time(13, 30)}
SLOTS = 6

PLAN_TOPICS = {
    "Математика": ["Натуральные числа", "Делимость чисел", "Обыкновенные дроби",
                   "Сложение и вычитание дробей", "Умножение дробей", "Деление дробей",
                   "Десятичные дроби", "Проценты", "Контрольная работа"],
    "Алгебра": ["Функции и их свойства", "Тригонометрические функции",
                "Тригонометрические уравнения", "Производная", "Применение производной",
                "Контрольная работа"],
    "Казахский язык": ["Фонетика", "Лексика", "Морфология", "Синтаксис",
                       "Развитие речи", "Контрольный диктант"],
}


def _hours(parallel: int) -> dict[str, int]:
    return PRIMARY if parallel <= 4 else MIDDLE if parallel <= 9 else SENIOR


def _shift(parallel: int) -> int:
    """Primary and senior classes study in the first shift, 5-8 in the second."""
    return 2 if 5 <= parallel <= 8 else 1


def _slot_times(shift: int) -> list[tuple[dt.time, dt.time]]:
    start = dt.datetime.combine(dt.date(2000, 1, 1), SHIFT_STARTS[shift])
    out = []
    for i in range(SLOTS):
        a = start + dt.timedelta(minutes=55 * i + (10 if i >= 3 else 0))
        out.append((a.time(), (a + dt.timedelta(minutes=45)).time()))
    return out


def _teachers(school) -> list:
    return db.session.scalars(
        select(Membership).where(Membership.organization_id == school.id,
                                 Membership.role.in_([Role.class_teacher, Role.teacher]),
                                 Membership.end_date.is_(None))
        .order_by(Membership.id)).all()


def build_school_study(school, rng: random.Random, lesson_days: int = 5,
                       parallels=range(1, 12), letters=(LETTERS,),
                       generate: bool = True) -> dict:
    """One school's study process. Returns counts for the demo summary and the benchmark."""
    org_id = school.id
    db.session.add(StudySettings(organization_id=org_id, lesson_days=lesson_days,
                                 lesson_minutes=45))
    year = AcademicYear(organization_id=org_id, name=YEAR[0], starts_on=YEAR[1],
                        ends_on=YEAR[2])
    building = Building(organization_id=org_id, name="Главный корпус",
                        address=school.actual_address)
    db.session.add_all([year, building])
    db.session.flush()
    periods = [StudyPeriod(organization_id=org_id, year_id=year.id, kind=PeriodKind.quarter,
                           name=n, starts_on=a, ends_on=b) for n, a, b in QUARTERS]
    names = sorted({*PRIMARY, *MIDDLE, *SENIOR})
    subjects = {n: Subject(organization_id=org_id, name=n) for n in names}
    subjects[OPTIONAL] = Subject(organization_id=org_id, name=OPTIONAL, without_attestation=True)
    schedules = {s: BellSchedule(organization_id=org_id, name=f"{s} смена", shift=s)
                 for s in (1, 2)}
    n_classes = len(parallels) * len(letters)
    rooms = [Room(organization_id=org_id, building=building, number=str(101 + i))
             for i in range(n_classes)]
    db.session.add_all(periods + list(subjects.values()) + list(schedules.values()) + rooms)
    db.session.flush()
    slots = {}
    for s, sched in schedules.items():
        for i, (a, b) in enumerate(_slot_times(s), 1):
            slot = BellSlot(organization_id=org_id, schedule_id=sched.id, number=i,
                            starts_at=a, ends_at=b)
            db.session.add(slot)
            slots[(s, i)] = slot
    teachers = [m.person_id for m in _teachers(school)]
    classes = []
    for p in parallels:
        for ru, kk, en in letters:
            classes.append(SchoolClass(
                organization_id=org_id, year_id=year.id, parallel=p, letter_ru=ru,
                letter_kk=kk, letter_en=en, language=school.language or "ru",
                shift=_shift(p), home_room_id=rooms[len(classes)].id,
                class_teacher_id=teachers[len(classes)] if len(classes) < len(teachers)
                else None))
    db.session.add_all(classes)
    db.session.flush()

    pool = _subject_pool(classes, teachers)
    entries, items = _curriculum_and_timetable(classes, periods, subjects, pool, teachers,
                                               lesson_days)
    q1 = periods[0]
    db.session.add_all(items)
    for class_id, subj, d, n, teacher, cls in entries:
        db.session.add(TimetableEntry(
            organization_id=org_id, period_id=q1.id, weekday=d,
            slot_id=slots[(cls.shift, n)].id, class_id=class_id,
            subject_id=subjects[subj].id, teacher_id=teacher, room_id=cls.home_room_id))
    db.session.flush()
    plans = 0
    for subj, topics in PLAN_TOPICS.items():
        parallel = 10 if subj == "Алгебра" else 5
        plan = LessonPlan(organization_id=org_id, name=f"{subj}, {parallel} параллель",
                          period_id=q1.id, subject_id=subjects[subj].id, parallel=parallel,
                          teacher_id=next((t for t in pool.get(subj, [])), None))
        db.session.add(plan)
        db.session.flush()
        for i, title in enumerate(topics, 1):
            db.session.add(PlanTopic(organization_id=org_id, plan_id=plan.id, position=i,
                                     title=title, hours=rng.choice([2, 3, 4])))
        plans += 1
    db.session.flush()
    lessons = generate_lessons(system_scope(), q1) if generate else 0
    return {"classes": len(classes), "curriculum": len(items), "entries": len(entries),
            "lessons": lessons, "plans": plans}


def _subject_pool(classes, teachers) -> dict[str, list[int]]:
    """Teachers by subject: each teacher specialises in one subject; the busiest subjects
    get more teachers."""
    demand: dict[str, int] = {}
    for cls in classes:
        for subj, h in _hours(cls.parallel).items():
            demand[subj] = demand.get(subj, 0) + h
    order = sorted(demand, key=lambda s: -demand[s])
    pool: dict[str, list[int]] = {s: [] for s in order}
    for i, t in enumerate(teachers):
        subj = order[i] if i < len(order) else max(
            order, key=lambda s: demand[s] / (len(pool[s]) or 0.5))
        pool[subj].append(t)
    return pool


def _place(cls, subj, hours, teacher, lesson_days, taken, busy, entries) -> None:
    """Put ``hours`` weekly lessons of a subject into free cells of the class where the
    teacher is free; first one lesson of the subject a day, then any free cell."""
    cells = [(d, n) for n in range(1, SLOTS + 1) for d in range(1, lesson_days + 1)]
    placed = 0
    for spread in (True, False):
        for d, n in cells:
            if placed == hours:
                return
            if (d, n) in taken or (teacher, cls.shift, d, n) in busy:
                continue
            if spread and any(e_d == d for e_d, _ in _days_of(entries, cls.id, subj)):
                continue
            taken.add((d, n))
            busy.add((teacher, cls.shift, d, n))
            entries.append((cls.id, subj, d, n, teacher, cls))
            placed += 1


def _curriculum_and_timetable(classes, periods, subjects, pool, teachers, lesson_days):
    """Curriculum rows for every period and a conflict-free weekly timetable (teachers are
    never in two places: shifts do not overlap in time, a class has one lesson per cell)."""
    load = dict.fromkeys(teachers, 0)
    busy: set[tuple] = set()  # (teacher, shift, day, slot)
    entries, items = [], []
    for cls in classes:
        taken: set[tuple] = set()
        plan = list(_hours(cls.parallel).items())
        if cls.parallel >= 5:
            plan.append((OPTIONAL, 1))
        for subj, h in plan:
            if subj == OPTIONAL:
                teacher = cls.class_teacher_id
            else:
                teacher = min(pool.get(subj) or teachers, key=lambda t: load[t])
                load[teacher] += h
            items.extend(CurriculumItem(
                organization_id=cls.organization_id, class_id=cls.id, period_id=p.id,
                subject_id=subjects[subj].id, weekly_hours=h, variative=subj == OPTIONAL,
                lesson_minutes=45, teacher_id=teacher) for p in periods)
            if subj != OPTIONAL:
                _place(cls, subj, h, teacher, lesson_days, taken, busy, entries)
    return entries, items


def _days_of(entries, class_id, subj):
    """Weekdays on which the class already has this subject (spread lessons over the week).
    Only the tail of ``entries`` can hold the current class, so look at it."""
    for e in reversed(entries):
        if e[0] != class_id:
            break
        if e[1] == subj:
            yield e[2], e[3]


def build_study_demo(schools, rng: random.Random) -> dict:
    totals: dict[str, int] = {}
    for i, school in enumerate(schools):
        days = 6 if i == 3 else 5  # the lyceum works six days a week
        for k, v in build_school_study(school, rng, lesson_days=days).items():
            totals[k] = totals.get(k, 0) + v
    return totals
