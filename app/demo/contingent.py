"""Demo contingent (issue 5): orders and movements in the first demo school — enrolment of
its pupils into classes 5 А and 5 Б, a transfer to another class, an exclusion, and a
transfer to the second demo school, where the pupil arrives and is enrolled. Deterministic:
the pupils are taken in alphabetical order."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models.contingent import OrderKind
from app.models.study import AcademicYear, SchoolClass, StudyPeriod
from app.security.scopes import system_scope
from app.services.contingent import movements as svc
from app.services.contingent.orders import create_order

D = dt.date


def _year(school) -> AcademicYear | None:
    return db.session.scalars(select(AcademicYear).where(
        AcademicYear.organization_id == school.id).order_by(AcademicYear.starts_on)).first()


def _class(school, year, parallel: int, letters: tuple[str, str, str]) -> SchoolClass:
    cls = db.session.scalars(select(SchoolClass).where(
        SchoolClass.year_id == year.id, SchoolClass.parallel == parallel,
        SchoolClass.letter_ru == letters[0])).first()
    if cls is None:
        cls = SchoolClass(organization_id=school.id, year_id=year.id, parallel=parallel,
                          letter_ru=letters[0], letter_kk=letters[1], letter_en=letters[2],
                          language=school.language or "ru", shift=1)
        db.session.add(cls)
        db.session.flush()
    return cls


def build_contingent_demo(schools) -> dict:
    """Returns counts for the demo summary."""
    if len(schools) < 2:
        return {}
    school, target = schools[0], schools[1]
    year, target_year = _year(school), _year(target)
    pupils = svc.pupils_without_class(school.id)
    if year is None or target_year is None or len(pupils) < 8:
        return {}
    c5a = _class(school, year, 5, ("А", "А", "A"))
    c5b = _class(school, year, 5, ("Б", "Ә", "B"))
    system = system_scope()  # the demo builder acts for the system
    o1 = create_order(system, school, "1-К", D(2026, 9, 1), "О зачислении учащихся в классы",
                      OrderKind.enrolment)
    o2 = create_order(system, school, "2-К", D(2026, 10, 5),
                      "О переводе учащегося в другой класс", OrderKind.transfer)
    o3 = create_order(system, school, "3-К", D(2026, 11, 16), "Об отчислении учащегося",
                      OrderKind.exclusion)
    o4 = create_order(system, school, "4-К", D(2026, 12, 1),
                      "О выбытии учащегося в другую школу", OrderKind.transfer)
    for i, p in enumerate(pupils[:8]):
        svc.enrol(system, p, c5a if i % 2 == 0 else c5b, D(2026, 9, 1), o1)
    svc.transfer_class(system, pupils[0], c5b, D(2026, 10, 5), o2, "Заявление родителей")
    period = db.session.scalars(select(StudyPeriod).where(
        StudyPeriod.year_id == year.id, StudyPeriod.starts_on <= D(2026, 11, 16))
        .order_by(StudyPeriod.starts_on.desc())).first()
    svc.exclude(system, school, pupils[1], D(2026, 11, 16), o3, "Выезд за пределы страны",
                period)
    svc.transfer_out(system, school, pupils[2], target, D(2026, 12, 1), o4, "Переезд семьи")
    t_order = create_order(system, target, "15-К", D(2026, 12, 2),
                           "О зачислении прибывшего учащегося", OrderKind.enrolment)
    svc.enrol(system, pupils[2], _class(target, target_year, 5, ("А", "А", "A")),
              D(2026, 12, 2), t_order)
    db.session.flush()
    return {"orders": 5, "movements": svc.count_movements(school.id) +
            svc.count_movements(target.id)}
