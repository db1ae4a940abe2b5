"""Study-process set-up rules: each rule and bad input gives its error code."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask_babel import gettext

from app.extensions import db
from app.models.study import (
    AcademicYear,
    ClassEnrollment,
    CurriculumItem,
    CurriculumSubgroupTeacher,
    SchoolClass,
    SplitKind,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    Subject,
    WeekCorrection,
)
from app.security.scopes import UserScope, build_scope
from app.services.errors import DomainError, ScopeError
from app.services.study import curriculum
from app.services.study import setup as svc
from tests import factories


@pytest.fixture()
def s(net):
    s = factories.study_school(net)
    s.scope = build_scope(net.school_a_admin.person.user)  # School A1's administrator
    return s


def _code(fn, *args):
    with pytest.raises(DomainError) as err:
        fn(*args)
    return err.value.code


def test_year_dates_and_duplicate(s):
    """Is a year ending before it starts, or with a used name, refused?"""
    y = AcademicYear(organization_id=s.school.id, name="2027-2028",
                     starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2027, 8, 1))
    assert _code(svc.check_year, s.scope, y) == "year_dates"
    y = AcademicYear(organization_id=s.school.id, name="2026-2027",
                     starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 5, 31))
    assert _code(svc.check_year, s.scope, y) == "year_duplicate"
    s.year.starts_on = dt.date(2026, 10, 1)
    assert _code(svc.check_year, s.scope, s.year) == "period_outside_year"


@pytest.mark.parametrize("start,end,code", [
    (dt.date(2026, 8, 1), dt.date(2026, 8, 20), "period_outside_year"),
    (dt.date(2027, 5, 1), dt.date(2027, 6, 20), "period_outside_year"),
    (dt.date(2026, 10, 20), dt.date(2026, 11, 5), "period_overlap"),
    (dt.date(2026, 11, 5), dt.date(2026, 11, 1), "period_dates"),
])
def test_period_rules(s, start, end, code):
    """Is a period outside its year, overlapping another, or ending before it starts refused?"""
    p = StudyPeriod(year=s.year, year_id=s.year.id, name="X", starts_on=start, ends_on=end)
    assert _code(svc.check_period, s.scope, p) == code


def test_period_fits_gap(s):
    """Is a period in a free gap of the year accepted?"""
    p = StudyPeriod(year=s.year, year_id=s.year.id, name="Holiday course",
                    starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 6))
    svc.check_period(s.scope, p)
    assert p.organization_id == s.school.id


def test_period_with_curriculum_not_deleted(s):
    """Is a period with planned subjects kept, with a message saying why?"""
    svc.check_period_delete(s.scope, s.q1)
    db.session.add(CurriculumItem(organization_id=s.school.id, class_id=s.c5a.id,
                                  period_id=s.q1.id, subject_id=s.math.id, weekly_hours=5))
    db.session.flush()
    with pytest.raises(DomainError) as err:
        svc.check_period_delete(s.scope, s.q1)
    assert err.value.code == "period_has_curriculum"
    assert "1" in str(err.value)


def test_class_rules(s, net):
    """Are a bad parallel, a duplicate class and a busy class teacher refused?"""
    c = SchoolClass(year=s.year, year_id=s.year.id, parallel=13, letter_ru="В",
                    letter_kk="Б", letter_en="C", shift=1)
    assert _code(svc.check_class, s.scope, c) == "parallel_range"
    c.parallel = 5
    c.letter_ru = "А"
    assert _code(svc.check_class, s.scope, c) == "class_duplicate"
    c.letter_ru = "В"
    c.shift = 3
    assert _code(svc.check_class, s.scope, c) == "shift"
    c.shift = 2
    c.class_teacher_id = s.t3.id
    with pytest.raises(DomainError) as err:
        svc.check_class(s.scope, c)
    assert err.value.code == "class_teacher_busy"
    assert str(err.value) == gettext("This teacher already has a class")
    c.class_teacher_id = net.director_a.person.id
    assert _code(svc.check_class, s.scope, c) == "not_teacher"
    c.class_teacher_id = s.t1.id
    svc.check_class(s.scope, c)
    assert c.organization_id == s.school.id


def test_subject_duplicate(s):
    """Is a second subject with the same name in a school refused?"""
    assert _code(svc.check_subject, s.scope, Subject(
        organization_id=s.school.id, name=" Математика ")) == "subject_duplicate"


def test_enrollment_rules(s, net):
    """Must an enrolled person be a pupil of the school, in one class at a time?"""
    pupil = factories.student(s.school)
    e = ClassEnrollment(school_class=s.c5a, class_id=s.c5a.id, person_id=net.director_a.person.id,
                        from_date=dt.date(2026, 9, 1))
    assert _code(svc.check_enrollment, s.scope, e) == "not_student"
    e = ClassEnrollment(school_class=s.c5a, class_id=s.c5a.id, person_id=pupil.id,
                        from_date=dt.date(2026, 9, 1))
    svc.check_enrollment(s.scope, e)
    db.session.add(e)
    db.session.flush()
    e2 = ClassEnrollment(school_class=s.c5b, class_id=s.c5b.id, person_id=pupil.id,
                         from_date=dt.date(2026, 10, 1))
    assert _code(svc.check_enrollment, s.scope, e2) == "enrollment_overlap"
    e.to_date = dt.date(2026, 9, 30)
    svc.check_enrollment(s.scope, e2)
    e2.to_date = dt.date(2026, 9, 1)
    assert _code(svc.check_enrollment, s.scope, e2) == "dates_order"
    ids = set(db.session.scalars(svc.enrolled_on(s.c5a.id, dt.date(2026, 9, 15))))
    assert ids == {pupil.id}
    assert not set(db.session.scalars(svc.enrolled_on(s.c5a.id, dt.date(2026, 10, 15))))


def test_subgroup_member_must_be_in_class(s):
    """Can a pupil join a subgroup of a class they are not in?"""
    pupil = factories.student(s.school)
    g = Subgroup(school_class=s.c5a, class_id=s.c5a.id, subject=s.eng, name="1")
    svc.check_subgroup(s.scope, g)
    db.session.add(g)
    db.session.flush()
    m = SubgroupMember(subgroup=g, subgroup_id=g.id, person_id=pupil.id,
                       from_date=dt.date(2026, 9, 1))
    assert _code(svc.check_subgroup_member, s.scope, m) == "not_in_class"
    db.session.add(ClassEnrollment(organization_id=s.school.id, class_id=s.c5a.id,
                                   person_id=pupil.id, from_date=dt.date(2026, 9, 1)))
    db.session.flush()
    svc.check_subgroup_member(s.scope, m)


def test_curriculum_rules(s, net):
    """Are bad hours, lesson length, teacher, another year's period and duplicates refused?"""
    it = CurriculumItem(school_class=s.c5a, period=s.q1, subject=s.math,
                        weekly_hours=Decimal("0.2"), lesson_minutes=45)
    assert _code(curriculum.check_curriculum_item, s.scope, it) == "weekly_hours_range"
    it.weekly_hours = "abc"
    assert _code(curriculum.check_curriculum_item, s.scope, it) == "not_a_number"
    it.weekly_hours = 5
    it.lesson_minutes = 200
    assert _code(curriculum.check_curriculum_item, s.scope, it) == "lesson_minutes_range"
    it.lesson_minutes = 45
    it.teacher_id = net.director_a.person.id
    assert _code(curriculum.check_curriculum_item, s.scope, it) == "not_teacher"
    it.teacher_id = s.t1.id
    curriculum.check_curriculum_item(s.scope, it)
    db.session.add(it)
    db.session.flush()
    dup = CurriculumItem(school_class=s.c5a, period=s.q1, subject=s.math, weekly_hours=1,
                         lesson_minutes=45)
    assert _code(curriculum.check_curriculum_item, s.scope, dup) == "curriculum_duplicate"
    other = factories.study_school(net, net.SB1, "B")
    foreign = CurriculumItem(school_class=s.c5a, period=other.q1, subject=s.eng,
                             weekly_hours=1, lesson_minutes=45)
    assert _code(curriculum.check_curriculum_item, s.scope, foreign) == "other_school"


def test_subgroup_teachers_limit(s):
    """Does a two-subgroup split take at most two subgroup teachers, and main none?"""
    it = CurriculumItem(organization_id=s.school.id, class_id=s.c5a.id, period_id=s.q1.id,
                        subject_id=s.eng.id, weekly_hours=2, split=SplitKind.main)
    groups = [Subgroup(organization_id=s.school.id, class_id=s.c5a.id, subject_id=s.eng.id,
                       name=str(i)) for i in (1, 2, 3)]
    db.session.add_all([it] + groups)
    db.session.flush()
    link = CurriculumSubgroupTeacher(item=it, subgroup=groups[0], teacher_id=s.t1.id)
    assert _code(curriculum.check_subgroup_teacher, s.scope, link) == "not_split"
    it.split = SplitKind.two
    for g, t in zip(groups[:2], (s.t1, s.t2), strict=True):
        link = CurriculumSubgroupTeacher(item=it, item_id=it.id, subgroup=g, teacher_id=t.id)
        curriculum.check_subgroup_teacher(s.scope, link)
        db.session.add(link)
        db.session.flush()
    third = CurriculumSubgroupTeacher(item=it, item_id=it.id, subgroup=groups[2],
                                      teacher_id=s.t3.id)
    assert _code(curriculum.check_subgroup_teacher, s.scope, third) == "too_many_subgroups"


def test_week_correction_inside_period(s):
    """Is a per-week correction outside the period refused and moved to its Monday?"""
    it = CurriculumItem(organization_id=s.school.id, class_id=s.c5a.id, period_id=s.q1.id,
                        subject_id=s.math.id, weekly_hours=5)
    db.session.add(it)
    db.session.flush()
    c = WeekCorrection(item=it, week_start=dt.date(2026, 12, 2), lessons=3)
    assert _code(curriculum.check_week_correction, s.scope, c) == "week_outside_period"
    c = WeekCorrection(item=it, week_start=dt.date(2026, 9, 10), lessons=3)
    curriculum.check_week_correction(s.scope, c)
    assert c.week_start == dt.date(2026, 9, 7)
    c.lessons = 41
    assert _code(curriculum.check_week_correction, s.scope, c) == "week_lessons_range"


def test_copy_curriculum_to_parallel(s):
    """Does copying take only the chosen subjects, skip existing ones, and refuse another
    parallel?"""
    for subj, h in ((s.math, 5), (s.lang, 3), (s.eng, 2)):
        db.session.add(CurriculumItem(organization_id=s.school.id, class_id=s.c5a.id,
                                      period_id=s.q1.id, subject_id=subj.id, weekly_hours=h,
                                      teacher_id=s.t1.id))
    db.session.add(CurriculumItem(organization_id=s.school.id, class_id=s.c5b.id,
                                  period_id=s.q1.id, subject_id=s.lang.id, weekly_hours=4))
    db.session.flush()
    copied, skipped = curriculum.copy_curriculum(s.scope, s.c5a, s.c5b, [s.q1.id], [s.math.id, s.lang.id])
    assert (copied, skipped) == (1, 1)
    hours = {i.subject_id: i.weekly_hours for i in db.session.query(CurriculumItem)
             .filter_by(class_id=s.c5b.id)}
    assert hours == {s.math.id: 5, s.lang.id: 4}
    c6 = SchoolClass(organization_id=s.school.id, year_id=s.year.id, parallel=6,
                     letter_ru="А", letter_kk="А", letter_en="A")
    db.session.add(c6)
    db.session.flush()
    assert _code(curriculum.copy_curriculum, s.scope, s.c5a, c6, [s.q1.id], [s.math.id]) == "copy_not_parallel"
    assert _code(curriculum.copy_curriculum, s.scope, s.c5a, s.c5b, [s.q1.id], []) == "copy_no_subjects"
    assert _code(curriculum.copy_curriculum, s.scope, s.c5a, s.c5a, [s.q1.id], [s.math.id]) == \
        "copy_same_class"


def test_other_school_may_not_change_the_study_process(s, net):
    """Can the administrator of School B1 (or a caller with no scope) add a year or a
    period to School A1, delete its period, or copy its curriculum? Is nothing changed?"""
    other = build_scope(net.school_b_admin.person.user)
    db.session.add(CurriculumItem(organization_id=s.school.id, class_id=s.c5a.id,
                                  period_id=s.q1.id, subject_id=s.math.id, weekly_hours=5))
    db.session.commit()
    year = AcademicYear(organization_id=s.school.id, name="2027-2028",
                        starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2028, 5, 31))
    with pytest.raises(ScopeError) as err:
        svc.check_year(other, year)
    assert err.value.code == "scope"
    assert str(err.value) == gettext("You may not change the study process of this organization")
    period = StudyPeriod(year=s.year, year_id=s.year.id, name="X",
                         starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 6))
    with pytest.raises(ScopeError):
        svc.check_period(UserScope(), period)
    with pytest.raises(ScopeError):
        svc.check_period_delete(other, s.q1)
    for scope in (other, UserScope()):
        with pytest.raises(ScopeError):
            curriculum.copy_curriculum(scope, s.c5a, s.c5b, [s.q1.id], [s.math.id])
    assert db.session.query(CurriculumItem).filter_by(class_id=s.c5b.id).count() == 0
    assert db.session.query(CurriculumItem).count() == 1
