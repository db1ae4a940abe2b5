"""Study-process set-up rules: years and periods, classes, enrolments, subgroups, subjects,
buildings, rooms, subject links; the study process's write rule (who changes a school's
study process) and the shared helpers of the study services (related ids, same school, the
school's study settings, who is a teacher).

Each ``check_<row>(scope, item)`` is the write rule of a new or changed row, used by the
page and the REST resource alike: the planning scope of the row's school, then the
business rules (which derive ``organization_id`` from the parent row)."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models.people import Membership, Role
from app.models.study import (
    AcademicYear,
    Building,
    ClassEnrollment,
    CurriculumItem,
    Room,
    SchoolClass,
    StudyPeriod,
    StudySettings,
    Subgroup,
    SubgroupMember,
    Subject,
    SubjectClass,
    SubjectRoom,
    SubjectTeacher,
)
from app.security.scopes import UserScope, can_plan_org
from app.services.errors import ConflictError, ScopeError, ValidationError, require
from app.services.study.rules import ranges_overlap

TEACHER_ROLES = (Role.teacher, Role.class_teacher)


def related_id(obj, attr: str):
    """The id of a relation whether the form set the object or the API set the id."""
    rel = getattr(obj, attr, None)
    return rel.id if rel is not None else getattr(obj, f"{attr}_id", None)


def get_by_id(model, pk):
    return db.session.get(model, pk) if pk is not None else None


# -- who changes the study process ---------------------------------------------------------

def org_of(item) -> int | None:
    """The school of a study row, whether a form set the relation or the API set the id."""
    org = getattr(item, "organization", None)
    return org.id if org is not None else getattr(item, "organization_id", None)


def require_planner(scope: UserScope, org_id: int | None, field: str | None = None) -> None:
    """The study process's write rule: a school's years, classes, curriculum, timetable,
    lessons and plans are changed by its planning scope, the coordinator-administrator or
    a deputy director (``app.security.scopes.can_plan_org``)."""
    if not can_plan_org(org_id, scope):
        raise ScopeError(_l("You may not change the study process of this organization"),
                         field=field, code="scope")


def planner_first(scope: UserScope, item) -> None:
    """Start of a row's write rule: a row already placed in a school (an edit, or a form
    that names the school) must be in one the user plans before any business rule reads
    it. The rule ends with ``require_planner(scope, org_of(item))``, once the row's
    school is derived from its parent row."""
    org_id = org_of(item)
    if org_id is not None:
        require_planner(scope, org_id)


def check_row_delete(scope: UserScope, item) -> None:
    """A study row is deleted only by the planning scope of its school."""
    require_planner(scope, item.organization_id)


# -- shared helpers ------------------------------------------------------------------------

def same_org(org_id: int, *objs_and_fields) -> None:
    """Every related object must belong to the same school as the row."""
    for obj, field in objs_and_fields:
        if obj is not None and obj.organization_id != org_id:
            raise ValidationError(_l("%(field)s belongs to another organization",
                                     field=field), field=field, code="other_school")


def settings_of(org_id: int) -> StudySettings:
    s = db.session.scalars(select(StudySettings).where(
        StudySettings.organization_id == org_id)).first()
    return s or StudySettings(organization_id=org_id, lesson_days=5, lesson_minutes=45)


def check_settings(scope: UserScope, s: StudySettings) -> None:
    planner_first(scope, s)
    if s.lesson_days not in (5, 6):
        raise ValidationError(_l("Lesson days per week: 5 or 6"), field="lesson_days",
                              code="lesson_days")
    if not 15 <= (s.lesson_minutes or 0) <= 120:
        raise ValidationError(_l("Lesson length: from 15 to 120 minutes"),
                              field="lesson_minutes", code="lesson_minutes_range")
    require_planner(scope, org_of(s))


def is_teacher(org_id: int, person_id: int | None) -> bool:
    """A teacher is a person with an active teacher or class-teacher membership there."""
    if person_id is None:
        return False
    return db.session.execute(select(Membership.id).where(
        Membership.organization_id == org_id, Membership.person_id == person_id,
        Membership.role.in_(TEACHER_ROLES), Membership.end_date.is_(None))).first() is not None


def check_teacher(org_id: int, person_id: int | None, field: str = "teacher") -> None:
    if person_id is not None and not is_teacher(org_id, person_id):
        raise ValidationError(_l("%(field)s: the person is not a teacher of this school",
                                 field=_l("Teacher")), field=field, code="not_teacher")


# -- years and periods ---------------------------------------------------------------------

def check_year(scope: UserScope, year: AcademicYear) -> None:
    planner_first(scope, year)
    require(year.name, "name", _l("Name"))
    require(year.starts_on, "starts_on", _l("Starts on"))
    require(year.ends_on, "ends_on", _l("Ends on"))
    if year.ends_on <= year.starts_on:
        raise ValidationError(_l("The academic year must end after it starts"),
                              field="ends_on", code="year_dates")
    q = select(AcademicYear.id).where(AcademicYear.organization_id == year.organization_id,
                                      AcademicYear.name == year.name.strip())
    if year.id is not None:
        q = q.where(AcademicYear.id != year.id)
    if db.session.execute(q).first():
        raise ConflictError(_l("An academic year with this name already exists"),
                            field="name", code="year_duplicate")
    if year.id is not None:
        outside = db.session.scalar(select(func.count()).where(
            StudyPeriod.year_id == year.id,
            (StudyPeriod.starts_on < year.starts_on) | (StudyPeriod.ends_on > year.ends_on)))
        if outside:
            raise ValidationError(_l("Some periods of this year would fall outside its new "
                                     "dates"), field="starts_on", code="period_outside_year")
    require_planner(scope, org_of(year))


def check_period(scope: UserScope, period: StudyPeriod) -> None:
    """Periods lie inside their year and do not overlap each other (seed 004 §1)."""
    planner_first(scope, period)
    year = period.year or get_by_id(AcademicYear, period.year_id)
    require(year, "year", _l("Academic year"))
    require(period.name, "name", _l("Name"))
    require(period.starts_on, "starts_on", _l("Starts on"))
    require(period.ends_on, "ends_on", _l("Ends on"))
    period.organization_id = year.organization_id
    if period.ends_on < period.starts_on:
        raise ValidationError(_l("The period must end after it starts"), field="ends_on",
                              code="period_dates")
    if period.starts_on < year.starts_on or period.ends_on > year.ends_on:
        raise ValidationError(_l("The period must lie inside its academic year (%(start)s - "
                                 "%(end)s)", start=year.starts_on, end=year.ends_on),
                              field="starts_on", code="period_outside_year")
    others = db.session.execute(select(StudyPeriod.name, StudyPeriod.starts_on,
                                       StudyPeriod.ends_on, StudyPeriod.id)
                                .where(StudyPeriod.year_id == year.id)).all()
    for name, start, end, pid in others:
        if pid != period.id and ranges_overlap(period.starts_on, period.ends_on, start, end):
            raise ConflictError(_l("The period overlaps the period \"%(name)s\"", name=name),
                                field="starts_on", code="period_overlap")
    require_planner(scope, org_of(period))


def check_period_delete(scope: UserScope, period: StudyPeriod) -> None:
    """A period that already has planned subjects cannot be deleted (seed 004 §1)."""
    require_planner(scope, period.organization_id)
    n = db.session.scalar(select(func.count()).where(CurriculumItem.period_id == period.id))
    if n:
        raise ConflictError(_l("The period cannot be deleted: %(n)s subjects are planned in it "
                               "(working curriculum). Remove them first.", n=n),
                            field="id", code="period_has_curriculum")


def check_year_delete(scope: UserScope, year: AcademicYear) -> None:
    require_planner(scope, year.organization_id)
    n = db.session.scalar(select(func.count()).where(StudyPeriod.year_id == year.id))
    m = db.session.scalar(select(func.count()).where(SchoolClass.year_id == year.id))
    if n or m:
        raise ConflictError(_l("The academic year cannot be deleted: it has periods or "
                               "classes"), field="id", code="year_not_empty")


# -- subjects, buildings, rooms, links -----------------------------------------------------

def check_building(scope: UserScope, building: Building) -> None:
    """A building: only the planning scope of its school (no other rule)."""
    planner_first(scope, building)
    require_planner(scope, org_of(building))


def check_subject(scope: UserScope, subject: Subject) -> None:
    planner_first(scope, subject)
    require(subject.name, "name", _l("Name"))
    subject.name = subject.name.strip()
    q = select(Subject.id).where(Subject.organization_id == subject.organization_id,
                                 Subject.name == subject.name)
    if subject.id is not None:
        q = q.where(Subject.id != subject.id)
    if db.session.execute(q).first():
        raise ConflictError(_l("A subject with this name already exists"), field="name",
                            code="subject_duplicate")
    require_planner(scope, org_of(subject))


def check_room(scope: UserScope, room: Room) -> None:
    planner_first(scope, room)
    building = room.building
    require(building, "building", _l("Building"))
    require(room.number, "number", _l("Room number"))
    room.organization_id = building.organization_id
    if room.capacity is not None and room.capacity < 0:
        raise ValidationError(_l("Capacity cannot be negative"), field="capacity",
                              code="capacity")
    require_planner(scope, org_of(room))


def check_subject_teacher(scope: UserScope, link: SubjectTeacher) -> None:
    planner_first(scope, link)
    subject = link.subject or get_by_id(Subject, link.subject_id)
    require(subject, "subject", _l("Subject"))
    link.organization_id = subject.organization_id
    check_teacher(subject.organization_id, related_id(link, "teacher"))
    require_planner(scope, org_of(link))


def check_subject_room(scope: UserScope, link: SubjectRoom) -> None:
    planner_first(scope, link)
    subject = link.subject or get_by_id(Subject, link.subject_id)
    require(subject, "subject", _l("Subject"))
    require(link.room, "room", _l("Room"))
    link.organization_id = subject.organization_id
    same_org(subject.organization_id, (link.room, "room"))
    require_planner(scope, org_of(link))


def check_subject_class(scope: UserScope, link: SubjectClass) -> None:
    planner_first(scope, link)
    subject = link.subject or get_by_id(Subject, link.subject_id)
    require(subject, "subject", _l("Subject"))
    require(link.school_class, "school_class", _l("Class"))
    link.organization_id = subject.organization_id
    same_org(subject.organization_id, (link.school_class, "school_class"))
    require_planner(scope, org_of(link))


# -- classes, enrolments, subgroups --------------------------------------------------------

def check_class(scope: UserScope, cls: SchoolClass) -> None:
    """Parallel 0-12, letters in each language, shift 1 or 2; a teacher leads one class of a
    year at most (seed 004 fig. 20: "this teacher already has a class")."""
    planner_first(scope, cls)
    year = cls.year or get_by_id(AcademicYear, cls.year_id)
    require(year, "year", _l("Academic year"))
    cls.organization_id = year.organization_id
    if cls.parallel is None or not 0 <= int(cls.parallel) <= 12:
        raise ValidationError(_l("Parallel: a number from 0 to 12"), field="parallel",
                              code="parallel_range")
    for fld, label in (("letter_ru", _l("Letter (Russian)")), ("letter_kk", _l("Letter (Kazakh)")),
                       ("letter_en", _l("Letter (English)"))):
        require(getattr(cls, fld), fld, label)
        setattr(cls, fld, getattr(cls, fld).strip())
    if cls.shift not in (1, 2):
        raise ValidationError(_l("Shift: 1 or 2"), field="shift", code="shift")
    same_org(cls.organization_id, (cls.home_room, "home_room"))
    q = select(SchoolClass.id).where(SchoolClass.year_id == year.id,
                                     SchoolClass.parallel == cls.parallel,
                                     SchoolClass.letter_ru == cls.letter_ru)
    if cls.id is not None:
        q = q.where(SchoolClass.id != cls.id)
    if db.session.execute(q).first():
        raise ConflictError(_l("This class already exists in the academic year"),
                            field="letter_ru", code="class_duplicate")
    teacher_id = related_id(cls, "class_teacher")
    if teacher_id is not None:
        check_teacher(cls.organization_id, teacher_id, "class_teacher")
        q = select(SchoolClass.id).where(SchoolClass.year_id == year.id,
                                         SchoolClass.class_teacher_id == teacher_id)
        if cls.id is not None:
            q = q.where(SchoolClass.id != cls.id)
        if db.session.execute(q).first():
            raise ConflictError(_l("This teacher already has a class"), field="class_teacher",
                                code="class_teacher_busy")
    require_planner(scope, org_of(cls))


def _is_student(org_id: int, person_id: int) -> bool:
    return db.session.execute(select(Membership.id).where(
        Membership.organization_id == org_id, Membership.person_id == person_id,
        Membership.role == Role.student)).first() is not None


def check_enrollment(scope: UserScope, e: ClassEnrollment) -> None:
    """A pupil of the school, in one class of the school at a time."""
    planner_first(scope, e)
    cls = e.school_class or get_by_id(SchoolClass, e.class_id)
    require(cls, "school_class", _l("Class"))
    person_id = related_id(e, "person")
    require(person_id, "person", _l("Pupil"))
    require(e.from_date, "from_date", _l("From"))
    e.organization_id = cls.organization_id
    if e.to_date is not None and e.to_date < e.from_date:
        raise ValidationError(_l("The end date is before the start date"), field="to_date",
                              code="dates_order")
    if not _is_student(cls.organization_id, person_id):
        raise ValidationError(_l("The person is not a pupil of this school"), field="person",
                              code="not_student")
    rows = db.session.execute(select(ClassEnrollment.id, ClassEnrollment.from_date,
                                     ClassEnrollment.to_date)
                              .where(ClassEnrollment.person_id == person_id,
                                     ClassEnrollment.organization_id == cls.organization_id)
                              ).all()
    far = dt.date.max
    for eid, start, end in rows:
        if eid != e.id and ranges_overlap(e.from_date, e.to_date or far, start, end or far):
            raise ConflictError(_l("The pupil is already in a class on these dates"),
                                field="from_date", code="enrollment_overlap")
    require_planner(scope, org_of(e))


def enrolled_on(class_id: int, day: dt.date):
    """SQL statement: person ids enrolled in the class on the day."""
    return select(ClassEnrollment.person_id).where(
        ClassEnrollment.class_id == class_id, ClassEnrollment.from_date <= day,
        (ClassEnrollment.to_date.is_(None)) | (ClassEnrollment.to_date >= day))


def check_subgroup(scope: UserScope, g: Subgroup) -> None:
    planner_first(scope, g)
    cls = g.school_class or get_by_id(SchoolClass, g.class_id)
    require(cls, "school_class", _l("Class"))
    require(g.subject, "subject", _l("Subject"))
    require(g.name, "name", _l("Name"))
    g.organization_id = cls.organization_id
    same_org(cls.organization_id, (g.subject, "subject"))
    require_planner(scope, org_of(g))


def check_subgroup_member(scope: UserScope, m: SubgroupMember) -> None:
    """A subgroup member is a pupil of the subgroup's class on the start date."""
    planner_first(scope, m)
    g = m.subgroup or get_by_id(Subgroup, m.subgroup_id)
    require(g, "subgroup", _l("Subgroup"))
    person_id = related_id(m, "person")
    require(person_id, "person", _l("Pupil"))
    require(m.from_date, "from_date", _l("From"))
    m.organization_id = g.organization_id
    if m.to_date is not None and m.to_date < m.from_date:
        raise ValidationError(_l("The end date is before the start date"), field="to_date",
                              code="dates_order")
    in_class = db.session.execute(enrolled_on(g.class_id, m.from_date)
                                  .where(ClassEnrollment.person_id == person_id)).first()
    if in_class is None:
        raise ValidationError(_l("The pupil is not in the subgroup's class on this date"),
                              field="person", code="not_in_class")
    require_planner(scope, org_of(m))
