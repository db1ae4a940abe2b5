"""Demo pupils' personal files (issue 5): the demo schools' pupils are placed in classes
and get personal files with addresses, previous education, parents and legal
representatives (with consents given or declined), olympiad results, characterisations and,
for a few, medical notes and social status. School 1 also gets a small "pupils with parents"
import (through the real import service) so that the import history is not empty.
Deterministic for a seed; a few hundred rows."""
from __future__ import annotations

import datetime as dt
import io
import random

from sqlalchemy import select

from app.extensions import db
from app.models.people import Membership, Role
from app.models.pupil_file import AchievementLevel, EducationForm, PupilAchievement
from app.models.study import ClassEnrollment, SchoolClass
from app.security.scopes import system_scope
from app.services.national_id import make_iin
from app.services.pupils import files as service
from app.services.pupils.import_lookups import current_year
from app.services.pupils.importing import PUPIL_IMPORT

STREETS = ("ул. Абая", "пр. Достык", "ул. Толе би", "мкр. Самал-2", "ул. Жибек Жолы")
OLYMPIADS = (("Олимпиада по математике", "Математика"), ("Олимпиада по казахскому языку",
             "Казахский язык"), ("Конкурс научных проектов", "Биология"))
RESULTS = ("1 место", "2 место", "3 место", "Участник")


def _enrol(school, pupils, classes) -> None:
    year = classes[0].year
    enrolled = set(db.session.scalars(select(ClassEnrollment.person_id).where(
        ClassEnrollment.organization_id == school.id, ClassEnrollment.to_date.is_(None))))
    for i, m in enumerate(pupils):
        if m.person_id not in enrolled:
            db.session.add(ClassEnrollment(organization_id=school.id,
                                           class_id=classes[i % len(classes)].id,
                                           person_id=m.person_id, from_date=year.starts_on))
    db.session.flush()


def _file(school, m, i: int, gen, rng: random.Random) -> None:
    street = f"{rng.choice(STREETS)}, {rng.randint(1, 120)}"
    f = service.file_of(m.person_id) or service.open_file(
        system_scope(), school, m.person, registered_address=street, actual_address=street,
        citizenship="Республика Казахстан" if school.country == "KZ" else "Кыргызская Республика",
        previous_school="Детский сад «Балапан»" if i % 3 else "СОШ №12",
        arrived_on=dt.date(2020 + i % 5, 9, 1),
        education_form=EducationForm.home if i == 7 else EducationForm.full_time)
    if i < 4:  # medical notes and social status (visible to the administration and class teacher)
        f.health_group, f.pe_group = ("2", "preparatory") if i % 2 else ("1", "main")
        f.allergies = "Пыльца берёзы" if i == 0 else None
        f.medical_note = "Носит очки" if i == 1 else "Без ограничений"
        f.social_categories = ("large_family", "low_income", "single_parent", "transport")[i]
        f.social_note = "Получает бесплатное питание" if i == 1 else None
    if i < 3:
        event, subject = OLYMPIADS[i]
        db.session.add(PupilAchievement(organization_id=school.id, file=f, event=event,
                                        subject=subject, level=AchievementLevel.district,
                                        result=RESULTS[i], held_on=dt.date(2026, 10, 15 + i)))
        service.set_characterisation(system_scope(), f,
                                     "Добросовестный, аккуратный, активно участвует в "
                                     "жизни класса.", "Классный руководитель",
                                     dt.date(2026, 10, 30))
    mother = gen.person()
    service.add_parent(system_scope(), f, mother, "mother", workplace="ТОО «Алатау»",
                       job_position="Бухгалтер",
                       electronic_consent=i % 5 != 4, consent_date=dt.date(2026, 9, 2),
                       consent_how="Письменное заявление")
    if i % 2 == 0:
        service.add_parent(system_scope(), f, gen.person(), "father" if i % 4 else "guardian",
                           legal_representative=True, workplace="АО «КазТрансОйл»",
                           job_position="Инженер", electronic_consent=True,
                           consent_date=dt.date(2026, 9, 3), consent_how="На собрании")


def _import_sample(school, classes, rng: random.Random) -> None:
    """A 10-row "pupils with parents" file imported through the import service."""
    from openpyxl import Workbook

    from app.services.imports import run_import

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("pupils")
    ws.append(["last_name", "first_name", "national_id", "class_name", "address",
               "parent1_name", "parent1_kind", "parent1_phone"])
    cls = classes[0]
    for i in range(10):
        born = dt.date(2026 - 6 - cls.parallel, 1 + i, 10)
        ws.append([f"Импортов{i}", "Алихан", make_iin(born, "M", 8000 + i),
                   f"{cls.parallel} {cls.letter_ru}", f"{rng.choice(STREETS)}, {i + 1}",
                   f"Импортова{i} Асель", "mother", "+7 701 000 00 00"])
    buf = io.BytesIO()
    wb.save(buf)
    outcome = run_import(system_scope(), PUPIL_IMPORT, school, buf.getvalue(),
                         "pupils_demo.xlsx")
    if not outcome.ok:  # the demo must not stop for a sample
        db.session.rollback()


def build_pupils_demo(schools, gen, rng: random.Random) -> None:
    for si, school in enumerate(schools):
        year = current_year(school.id)
        if year is None:
            continue
        classes = db.session.scalars(select(SchoolClass).where(
            SchoolClass.year_id == year.id).order_by(SchoolClass.parallel)).all()
        if not classes:
            continue
        pupils = db.session.scalars(select(Membership).where(
            Membership.organization_id == school.id, Membership.role == Role.student,
            Membership.end_date.is_(None)).order_by(Membership.id)).all()
        _enrol(school, pupils, classes)
        for i, m in enumerate(pupils[:10]):
            _file(school, m, i, gen, rng)
        if si == 0:
            _import_sample(school, classes, rng)
        db.session.flush()
