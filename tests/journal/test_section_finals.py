"""section_finals: computed and final period/year grades of a section (jgrades)."""
from app.extensions import db
from app.models.journal import FinalGrade, FinalKind
from app.services.journal.queries import section_finals
from tests import factories
from tests.journal.grades_helpers import KG_EXAMPLE, put_marks, set_policy


def _final(s, pupil, value, period=None, kind=FinalKind.period):
    row = FinalGrade(organization_id=s.c5a.organization_id, year_id=s.year.id, kind=kind,
                     period_id=period.id if period else None, class_id=s.c5a.id,
                     subject_id=s.math.id, student_id=pupil.id, value=value, version=1)
    db.session.add(row)
    db.session.commit()
    return row


def test_kyrgyz_worked_example(app, db, net):
    """Intermediate 4,5,4,4,5,4 and control 4,4 under kg_weighted: computed 4.233, suggested 4?"""
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "kg_weighted")
    put_marks(s.lessons, s.pupil, KG_EXAMPLE)
    rows = section_finals(s.c5a.id, s.math.id, s.q1.id, [p.id for p in s.pupils])
    assert rows[s.pupil.id]["computed"] == "4.233"
    assert rows[s.pupil.id]["suggested"] == "4"
    assert rows[s.pupil.id]["final"] is None and rows[s.pupil.id]["closed"] is False
    assert rows[s.pupils[1].id]["computed"] is None


def test_kazakh_criteria_with_weights(app, db, net):
    """Kazakh criteria: formative 5,4 (100 %, 80 %), section 15/20, term 18/25, weights 25/25/50:
    90*0.25 + 75*0.25 + 72*0.5 = 77.25 % -> 4; with weights 0/50/50 -> 73.5 % -> 4; percent?"""
    s = factories.journal_school(net)
    settings = set_policy(net.SA1.id, "kz_criteria")
    put_marks(s.lessons, s.pupil, [(5, "formative"), (4, "formative"),
                                   (15, "sum_section", 20), (18, "sum_term", 25)])
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["computed"], row["percent"], row["suggested"]) == ("77.250", 77, "4")
    settings.weight_formative, settings.weight_section, settings.weight_term = 0, 50, 50
    db.session.commit()
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["computed"], row["percent"], row["suggested"]) == ("73.500", 74, "4")


def test_plain_average(app, db, net):
    """Plain average of 5, 4, 4, 5 -> 4.500 -> 5 (half up)?"""
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "plain_average")
    put_marks(s.lessons, s.pupil, [(5, "intermediate"), (4, "control"), (4, "intermediate"),
                                   (5, "intermediate")])
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["computed"], row["suggested"]) == ("4.500", "5")


def test_finals_and_year(app, db, net):
    """Are the set period finals, the year suggestion (when every quarter has a grade) and the
    year final returned; an 'ex' quarter left out of the year average?"""
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "plain_average")
    for period, value in zip(s.periods, ["4", "5", "ex", "5"], strict=True):
        _final(s, s.pupil, value, period)
    _final(s, s.pupils[1], "3", s.periods[0])
    _final(s, s.pupil, "5", kind=FinalKind.year)
    rows = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id, s.pupils[1].id])
    assert rows[s.pupil.id]["final"] == "4" and rows[s.pupil.id]["version"] == 1
    assert rows[s.pupil.id]["closed"] is True
    assert rows[s.pupil.id]["year_suggested"] == "5"  # (4+5+5)/3 = 4.667
    assert rows[s.pupil.id]["year_computed"] == "4.667"
    assert rows[s.pupil.id]["year_final"] == "5"
    assert rows[s.pupils[1].id]["year_suggested"] is None  # quarters 2-4 missing


def test_without_attestation(app, db, net):
    """A subject without attestation has no final grade: everything None?"""
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "plain_average")
    put_marks(s.lessons, s.pupil, [(5, "intermediate")])
    s.math.without_attestation = True
    db.session.commit()
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert all(v in (None, False) for v in row.values())


def test_fixed_query_count(app, db, net, count_queries):
    """Does section_finals run the same small number of queries for 1 pupil and for 5 pupils
    with many marks?"""
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "kg_weighted")
    put_marks(s.lessons, s.pupil, KG_EXAMPLE)
    args = (s.c5a.id, s.math.id, s.q1.id)
    ids = [p.id for p in s.pupils]
    db.session.expire_all()
    with count_queries() as one:
        section_finals(*args, ids[:1])
    for p in s.pupils[1:]:
        put_marks(s.lessons, p, KG_EXAMPLE + [(3, "intermediate"), (5, "control")])
        _final(s, p, "4", s.q1)
    db.session.expire_all()
    with count_queries() as many:
        rows = section_finals(*args, ids)
    assert one.count == many.count <= 6
    assert rows[ids[1]]["computed"] == "4.200"


def test_demo_closes_first_quarter(app, db, net):
    """Does the demo set the computed first-quarter grade of every pupil with marks of a
    closed demo class (with a history row), and do nothing the second time?"""
    from app.demo.grades import build_grades_demo
    from app.models.journal import JournalChange

    s = factories.journal_school(net)
    set_policy(net.SA1.id, "kg_weighted")
    put_marks(s.lessons, s.pupil, KG_EXAMPLE)
    assert build_grades_demo([net.SA1]) == 1
    db.session.commit()
    final = db.session.query(FinalGrade).one()
    assert (final.student_id, final.value, final.computed) == (s.pupil.id, "4", "4.233")
    assert db.session.query(JournalChange).one().author_id == s.t1.id
    assert build_grades_demo([net.SA1]) == 0


def test_year_grade_flagged_when_a_period_grade_changes(app, db, net):
    """A year grade set from 4, 5, 5, 5 (-> 5): is it left as set but flagged when the first
    quarter is later changed to 2 under a grant (the periods now give 4)?"""
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "plain_average")
    quarters = [_final(s, s.pupil, v, p) for p, v in zip(s.periods, "4555", strict=True)]
    _final(s, s.pupil, "5", kind=FinalKind.year)
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["year_final"], row["year_suggested"], row["year_stale"]) == ("5", "5", False)
    quarters[0].value = "2"
    db.session.commit()
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["year_final"], row["year_suggested"], row["year_stale"]) == ("5", "4", True)
