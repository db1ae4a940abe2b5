"""The demo network built by ``flask kundelik demo``. Later areas extend ``build_demo``."""
from __future__ import annotations

import datetime as dt
import random

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models.blanks import BlankStatus
from app.models.org import Organization, OrgKind, OrgType
from app.models.people import Person, Role, Sex
from app.security.scopes import system_scope
from app.services import orgs as org_service
from app.services import people as people_service
from app.services.national_id import make_iin

ORG_TYPES = [
    # code, kind, ru, kk, ky, en
    ("ministry", OrgKind.ministry, "Министерство", "Министрлік", "Министрлик", "Ministry"),
    ("region_dept", OrgKind.region, "Управление образования области",
     "Облыстық білім басқармасы", "Облустук билим берүү башкармалыгы",
     "Regional education department"),
    ("district_dept", OrgKind.district, "Районный отдел образования",
     "Аудандық білім бөлімі", "Райондук билим берүү бөлүмү", "District education department"),
    ("general_school", OrgKind.school, "Общеобразовательная школа", "Жалпы білім беретін мектеп",
     "Жалпы билим берүүчү мектеп", "General secondary school"),
    ("gymnasium", OrgKind.school, "Гимназия", "Гимназия", "Гимназия", "Gymnasium"),
    ("lyceum", OrgKind.school, "Лицей", "Лицей", "Лицей", "Lyceum"),
    ("small_school", OrgKind.school, "Малокомплектная школа", "Шағын жинақты мектеп",
     "Аз комплекттүү мектеп", "Small rural school"),
    ("college", OrgKind.college, "Колледж", "Колледж", "Колледж", "College"),
    ("kindergarten", OrgKind.kindergarten, "Детский сад", "Балабақша", "Бала бакча",
     "Kindergarten"),
]

MALE_LAST = ["Ахметов", "Серикбаев", "Жумабеков", "Иванов", "Петров", "Касымов", "Нурланов",
             "Бекмуратов", "Садыков", "Токтогулов", "Асанов", "Исаков", "Сидоров", "Омаров",
             "Абдыкадыров", "Калиев"]
FEMALE_LAST = ["Ахметова", "Серикбаева", "Жумабекова", "Иванова", "Петрова", "Касымова",
               "Нурланова", "Бекмуратова", "Садыкова", "Токтогулова", "Асанова", "Исакова",
               "Сидорова", "Омарова", "Абдыкадырова", "Калиева"]
MALE_FIRST = ["Ерлан", "Нурсултан", "Айбек", "Даурен", "Алексей", "Сергей", "Бакыт", "Азамат",
              "Максат", "Тимур", "Улан", "Нурбек", "Дмитрий", "Арман"]
FEMALE_FIRST = ["Айгерим", "Динара", "Гульнара", "Сауле", "Елена", "Ольга", "Айпери",
                "Нургуль", "Жыпар", "Асель", "Мария", "Салтанат", "Чолпон", "Бермет"]
MALE_MIDDLE = ["Серикович", "Маратович", "Бакытович", "Иванович", "Асанович", None]
FEMALE_MIDDLE = ["Сериковна", "Маратовна", "Бакытовна", "Ивановна", "Асановна", None]

STAFF_ROLES = ([Role.director] + [Role.deputy_director] * 2 + [Role.school_admin]
               + [Role.class_teacher] * 8 + [Role.teacher] * 18)

DEMO_PASSWORD = "demo12345"


def demo_exists() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Organization)))


def _types() -> dict[str, OrgType]:
    out = {}
    for code, kind, ru, kk, ky, en in ORG_TYPES:
        t = db.session.scalars(select(OrgType).where(OrgType.code == code)).first()
        if t is None:
            t = OrgType(code=code, kind=kind, name_ru=ru, name_kk=kk, name_ky=ky, name_en=en)
            db.session.add(t)
        out[code] = t
    db.session.flush()
    return out


class People:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0

    def person(self, adult: bool = True) -> Person:
        rng = self.rng
        sex = rng.choice([Sex.M, Sex.F])
        if sex == Sex.M:
            last, first, middle = rng.choice(MALE_LAST), rng.choice(MALE_FIRST), rng.choice(MALE_MIDDLE)
        else:
            last, first, middle = (rng.choice(FEMALE_LAST), rng.choice(FEMALE_FIRST),
                                   rng.choice(FEMALE_MIDDLE))
        year = rng.randint(1965, 1998) if adult else rng.randint(2009, 2019)
        born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        self.serial = (self.serial + 7) % 9000
        iin = make_iin(born, sex.value, 100 + self.serial)
        while db.session.scalars(select(Person.id).where(Person.national_id == iin)).first():
            self.serial += 1
            iin = make_iin(born, sex.value, 100 + self.serial)
        return Person(last_name=last, first_name=first, middle_name=middle, birth_date=born,
                      sex=sex, country="KZ", national_id=iin,
                      phone=f"+7 70{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}")


def _user(person: Person, login: str) -> None:
    """Register with a known password (demo only) and no forced change."""
    sm = current_app.appbuilder.sm
    people_service.register(system_scope(), person)
    user = sm.find_user(username=person.national_id)
    user.username = login
    user.password = __import__("werkzeug.security", fromlist=["x"]).generate_password_hash(
        DEMO_PASSWORD)
    person.must_change_password = False
    person.temp_password = None


def build_demo(seed: int = 2026) -> list[tuple[str, str, str]]:
    """Ministry -> region -> two districts -> six schools, ~30 staff each. Returns logins."""
    rng = random.Random(seed)
    gen = People(rng)
    types = _types()
    logins: list[tuple[str, str, str]] = []
    ministry = org_service.create_organization(
        system_scope(), kind=OrgKind.ministry, org_type=types["ministry"],
        short_name="Министерство просвещения РК",
        full_name="Министерство просвещения Республики Казахстан", language="ru",
        territory="г. Астана", timezone="Asia/Almaty")
    region = org_service.create_organization(
        system_scope(), kind=OrgKind.region, org_type=types["region_dept"], parent=ministry,
        short_name="УО Алматинской области",
        full_name="Управление образования Алматинской области", language="kk",
        territory="Алматинская область", timezone="Asia/Almaty")
    districts = []
    for i, (name, terr, lang) in enumerate([("Отдел образования Карасайского района",
                                              "Карасайский район", "ru"),
                                             ("Отдел образования Талгарского района",
                                              "Талгарский район", "kk")]):
        d = org_service.create_organization(
            system_scope(), kind=OrgKind.district, org_type=types["district_dept"], parent=region,
            short_name=name, full_name=name, language=lang, territory=terr,
            timezone="Asia/Almaty", email=f"roo{i + 1}@example.kz")
        d.supervised_types = [types["general_school"], types["gymnasium"], types["lyceum"],
                              types["small_school"]]
        districts.append(d)
    school_specs = [
        (districts[0], "general_school", "СОШ №12 г. Каскелен", "г. Каскелен", "ru"),
        (districts[0], "gymnasium", "Гимназия №3 им. Абая", "г. Каскелен", "kk"),
        (districts[0], "small_school", "Малокомплектная школа с. Жибек Жолы", "с. Жибек Жолы", "kk"),
        (districts[1], "lyceum", "Лицей №7 г. Талгар", "г. Талгар", "ru"),
        (districts[1], "general_school", "СОШ №24 с. Бескайнар", "с. Бескайнар", "kk"),
        (districts[1], "general_school", "Кыргызская школа им. Ч. Айтматова", "г. Талгар", "ky"),
    ]
    schools = []
    for district, tcode, name, terr, lang in school_specs:
        s = org_service.create_organization(
            system_scope(), kind=OrgKind.school, org_type=types[tcode], parent=district, short_name=name,
            full_name=f"КГУ «{name}»", language=lang, territory=terr, timezone="Asia/Almaty",
            phones=f"+7 727 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}")
        schools.append(s)
    db.session.flush()

    def member(org, role, login=None, **kw):
        p = gen.person()
        m = people_service.add_participant(system_scope(), org, role, person=p, **kw)
        if login:
            _user(p, login)
            logins.append((f"{role.value} — {org.short_name}", login, DEMO_PASSWORD))
        return m

    member(ministry, Role.ministry_admin, "ministry", is_admin=True)
    for i, d in enumerate(districts, 1):
        member(d, Role.district_head)
        member(d, Role.district_admin, f"district{i}", is_admin=True)
        for _ in range(3):
            member(d, Role.district_employee)
    for i, s in enumerate(schools, 1):
        member(s, Role.school_admin, f"school{i}", is_admin=True, position="Координатор")
        for j, role in enumerate(STAFF_ROLES):
            login = None
            if i == 1 and role == Role.director and j == 0:
                login = "director1"
            elif i == 1 and role == Role.teacher and j == len(STAFF_ROLES) - 1:
                login = "teacher1"
            m = member(s, role, login, position=role.value)
            if login is None and rng.random() < 0.4:
                people_service.register(system_scope(), m.person)
    build_study(schools, rng, logins)
    db.session.commit()
    build_records_demo(schools, gen, rng)
    db.session.commit()
    # later areas, in dependency order: movements and pupil files use the classes; the
    # journal needs the pupils in their classes; period grades need the journal's marks
    from app.demo.contingent import build_contingent_demo
    from app.demo.grades import build_grades_demo
    from app.demo.journal import build_journal_demo
    from app.demo.pupils import build_pupils_demo

    build_contingent_demo(schools)
    build_pupils_demo(schools, gen, rng)
    build_journal_demo(schools, gen, rng, logins, DEMO_PASSWORD)
    build_grades_demo(schools)
    db.session.commit()
    return logins


def build_study(schools, rng: random.Random, logins: list) -> None:
    """Study process of every demo school (app/demo/study.py) and a deputy director login."""
    from app.demo.study import build_study_demo
    from app.models.people import Membership

    deputy = db.session.scalars(select(Membership).where(
        Membership.organization_id == schools[0].id, Membership.role == Role.deputy_director)
        .order_by(Membership.id)).first()
    if deputy.person.user_id is not None:
        user = current_app.appbuilder.sm.get_user_by_id(deputy.person.user_id)
        user.username = "deputy1"
        user.password = __import__("werkzeug.security", fromlist=["x"]).generate_password_hash(
            DEMO_PASSWORD)
        deputy.person.must_change_password = False
    else:
        _user(deputy.person, "deputy1")
    logins.append((f"{Role.deputy_director.value} — {schools[0].short_name}", "deputy1",
                   DEMO_PASSWORD))
    build_study_demo(schools, rng)
POSITIONS = {Role.director: ("Директор", "Администрация"),
             Role.deputy_director: ("Заместитель директора", "Администрация"),
             Role.school_admin: ("Координатор", "Администрация"),
             Role.class_teacher: ("Учитель начальных классов", "Начальные классы")}
SUBJECT_UNITS = [("Учитель математики", "МО математики"), ("Учитель казахского языка",
                 "МО языков"), ("Учитель русского языка", "МО языков"),
                 ("Учитель физики", "МО естественных наук"), ("Учитель истории",
                 "МО общественных наук"), ("Учитель физкультуры", "МО физкультуры")]


def build_records_demo(schools, gen: People, rng: random.Random) -> None:
    """Records office (issue 5): staff files with events and courses, ~20 pupils per school
    (when the school has none), a stock of blanks and a few issued certificates."""
    from app.models.blanks import DocType
    from app.models.people import Membership
    from app.models.staff import Conclusion, CourseStatus, QualificationCourse, StaffEventKind
    from app.security.scopes import system_scope
    from app.services.records import blanks as blank_service
    from app.services.records import staff as staff_service

    today = dt.date.today()
    year = today.year
    system = system_scope()  # the demo acts for the system on purpose
    for si, school in enumerate(schools):
        staff = db.session.scalars(select(Membership).where(
            Membership.organization_id == school.id, Membership.end_date.is_(None),
            Membership.role.in_(staff_service.STAFF_ROLES)).order_by(Membership.id)).all()
        files = []
        seen = set()
        for m in staff:
            if m.person_id in seen:
                continue
            seen.add(m.person_id)
            position, unit = POSITIONS.get(m.role) or rng.choice(SUBJECT_UNITS)
            hired = dt.date(rng.randint(1995, 2023), 9, 1)
            prior = rng.randint(0, 5)  # years of pedagogical work before this school
            files.append(staff_service.open_staff_file(
                system, school, m.person, position=position, unit=unit, hired_on=hired,
                contract_number=f"{rng.randint(1, 200)}-к", contract_date=hired,
                seniority_years=prior, seniority_months=rng.randint(0, 11),
                seniority_as_of=hired,
                category=rng.choice([c for c, _ in staff_service.categories_for(
                    school.country)])))
        staff_service.update_seniority(system,
                                       dt.date(year if today.month >= 9 else year - 1, 9, 1),
                                       [school.id])
        for i, f in enumerate(files[4:12]):
            start = dt.date(year, 6, 10) + dt.timedelta(days=7 * (i % 4))
            staff_service.register_event(system, f, StaffEventKind.leave, start,
                                         start + dt.timedelta(days=41))
        if len(files) > 14:
            staff_service.register_event(system, files[5], StaffEventKind.recall,
                                         dt.date(year, 6, 10) + dt.timedelta(days=28),
                                         reason="Проведение ЕНТ")
            staff_service.register_event(system, files[12], StaffEventKind.sick_leave,
                                         dt.date(year, 2, 3), dt.date(year, 2, 9),
                                         illness="ОРВИ", diagnosis="J06.9")
            staff_service.register_event(system, files[13], StaffEventKind.time_off,
                                         dt.date(year, 3, 6), dt.date(year, 3, 6),
                                         reason="Семейные обстоятельства")
            staff_service.register_event(system, files[14], StaffEventKind.delegation,
                                         dt.date(year, 2, 3), dt.date(year, 2, 9),
                                         delegate=files[15], duties="Классное руководство")
        for i, f in enumerate(files[6:10]):
            status = [CourseStatus.planned, CourseStatus.application, CourseStatus.planned,
                      CourseStatus.planned][i]
            c = QualificationCourse(staff_file=f, organization_id=school.id, status=status,
                                    title="Обновлённое содержание образования",
                                    direction="Методика преподавания", place="ЦПМ «Өрлеу»",
                                    start_date=dt.date(year, 4, 14),
                                    end_date=dt.date(year, 4, 30))
            db.session.add(c)
            if i == 3:
                db.session.flush()
                staff_service.complete_course(
                    system, c, certificate_number=f"{1000 + si * 10 + i}",
                    certificate_date=dt.date(year, 5, 2), issued_by="ЦПМ «Өрлеу»",
                    category=staff_service.categories_for(school.country)[3][0],
                    attestation_date=dt.date(year, 5, 10), conclusion=Conclusion.attested)
        leaver = next((f for f in reversed(files[16:]) if f.person.user_id is None), None)
        if leaver is not None:  # never a demo login
            staff_service.register_event(system, leaver, StaffEventKind.dismissal,
                                         dt.date(year, 1, 10), reason="По собственному желанию")
        pupils = db.session.scalars(select(Membership).where(
            Membership.organization_id == school.id, Membership.role == Role.student,
            Membership.end_date.is_(None))).all()
        if not pupils:
            pupils = [people_service.add_participant(system_scope(), school, Role.student,
                                                     person=gen.person(adult=False))
                      for _ in range(20)]
        base = 100000 * (si + 1)
        blank_service.receive_range(system, school, DocType.attestat, f"{base:07d}",
                                    f"{base + 14:07d}")
        blank_service.receive_range(system, school, DocType.commendation_letter,
                                    f"{base:07d}",
                                    f"{base + 9:07d}")
        blank_service.issue_blank(system, blank_service.find_blank(
                                      school.id, DocType.attestat, f"{base + 14:07d}"),
                                  files[1].person, "Выпускники 11 класса")
        blank_service.write_off(system, blank_service.find_blank(
                                    school.id, DocType.attestat, f"{base + 13:07d}"),
                                BlankStatus.spoiled, "Ошибка при заполнении")
        for k, m in enumerate(pupils[:3]):
            blank_service.issue_document(system, school, DocType.attestat, m.person,
                                         f"{base + k:07d}", dt.date(year, 6, 20))
            blank_service.issue_document(system, school, DocType.commendation_letter,
                                         m.person,
                                         f"{base + k:07d}", dt.date(year, 5, 25))
        db.session.flush()
