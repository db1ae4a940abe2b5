"""set_final: confirming and setting period and year grades with the policies' limits,
closure, grants, conflicts and history (jgrades)."""
import datetime as dt

import pytest

from app import clock
from app.extensions import db
from app.models.journal import AccessGrant, ChangeKind, FinalGrade, JournalChange
from app.security.scopes import UserScope, build_scope
from app.services.errors import DomainError, ScopeError
from app.services.journal.commands import FinalConflictError, confirm_section, set_final
from app.services.journal.queries import section_finals
from tests import factories
from tests.journal.grades_helpers import KG_EXAMPLE, put_marks, set_policy


@pytest.fixture()
def kg(app, db, net, monkeypatch):
    """Kyrgyz regulation; the first pupil has the worked example's marks; today 2 November."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 2))
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "kg_weighted")
    put_marks(s.lessons, s.pupil, KG_EXAMPLE)
    s.teacher = build_scope(s.t1.user)
    return s


def _set(s, value, scope=None, pupil=None, period="q1", **kw):
    return set_final(scope or s.teacher, class_id=s.c5a.id, subject_id=s.math.id,
                     period_id=None if period is None else getattr(s, period).id,
                     student_id=(pupil or s.pupil).id, value=value, **kw)


def _refused(fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    db.session.rollback()
    return err.value


def _grant(s, net, until=dt.date(2026, 11, 10), **kw):
    grant = AccessGrant(organization_id=net.SA1.id, granted_by_id=net.director_a.person.id,
                        grantee_id=s.t1.id, class_id=s.c5a.id, subject_id=s.math.id,
                        period_id=s.q1.id, until=until, reason="Correction", **kw)
    db.session.add(grant)
    db.session.commit()
    return grant


def test_kyrgyz_limits(kg):
    """4.233: the final may be 4, or 5 with a bonus of 0.3; a bonus of 0.4 and a 3 are refused;
    5 without a bonus is within exact + 0.3?"""
    s = kg
    assert _refused(_set, s, "3").code == "final_out_of_limits"
    assert _refused(_set, s, "5", bonus="0.4").field == "bonus"
    assert _refused(_set, s, "5", bonus="0.2").code == "final_out_of_limits"  # 4.433 -> 4
    final = _set(s, "5", bonus="0.3")
    assert (final.value, final.computed, str(final.bonus), final.version) == \
        ("5", "4.233", "0.30", 1)
    other = s.pupils[1]
    put_marks(s.lessons, other, KG_EXAMPLE)
    assert _set(s, "5", pupil=other).value == "5"  # 4.233 + up to 0.3 reaches 5
    third = s.pupils[2]
    put_marks(s.lessons, third, [(3, "intermediate"), (3, "control")])
    assert _refused(_set, s, "4", pupil=third).code == "final_out_of_limits"  # 3.3 max


def test_confirm_computed_and_history(kg):
    """Does confirming the computed 4 store it with computed 4.233, write one history row
    (kind final, no old value), and does section_finals then show it closed?"""
    s = kg
    final = _set(s, "4")
    change = db.session.query(JournalChange).one()
    assert (change.kind, change.old_value, change.new_value, change.author_id) == \
        (ChangeKind.final, None, "4", s.t1.id)
    assert change.user_id == s.t1.user.id and change.grant_id is None
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["final"], row["version"], row["closed"]) == ("4", final.version, True)
    # the same value again changes nothing (no new version, no history row)
    assert _set(s, "4", base_version=1).version == 1
    assert db.session.query(JournalChange).count() == 1


def test_na_ex_always_allowed_without_marks(kg):
    """May a pupil without marks be 'na' or 'ex', but not given a mark?"""
    s = kg
    assert _refused(_set, s, "4", pupil=s.pupils[1]).code == "no_marks"
    assert _set(s, "na", pupil=s.pupils[1]).value == "na"
    assert _set(s, "ex", pupil=s.pupils[2]).value == "ex"
    assert _set(s, "EX", pupil=s.pupils[3]).value == "ex"
    assert _refused(_set, s, "6", pupil=s.pupils[4]).code == "final_value_unknown"
    assert _refused(_set, s, "na", pupil=s.pupils[4], bonus="0.1").field == "bonus"


def test_closed_final_needs_grant_and_reason(kg, net):
    """Once set, is the final closed; does an active grant lift it only with a reason, and is
    the change stored with reason and grant; does an expired or revoked grant not help?"""
    s = kg
    _set(s, "4")
    assert _refused(_set, s, "5", base_version=1).code == "period_closed"
    expired = _grant(s, net, until=dt.date(2026, 11, 1))
    assert _refused(_set, s, "5", base_version=1).code == "period_closed"
    _grant(s, net, revoked_at=dt.datetime(2026, 11, 1, 9))
    assert _refused(_set, s, "5", base_version=1).code == "period_closed"
    grant = _grant(s, net, until=dt.date(2026, 11, 2))  # the last day counts
    assert _refused(_set, s, "5", base_version=1).code == "reason_required"
    assert _refused(_set, s, "5", base_version=1, reason="  ").code == "reason_required"
    final = _set(s, "na", base_version=1, reason="Long illness")
    assert (final.value, final.version) == ("na", 2)
    change = db.session.query(JournalChange).order_by(JournalChange.id.desc()).first()
    assert (change.old_value, change.new_value, change.reason, change.grant_id) == \
        ("4", "na", "Long illness", grant.id)
    assert expired.id != grant.id


def test_conflict(kg):
    """Does a stale or missing base_version give a conflict carrying the server's grade?"""
    s = kg
    _set(s, "4")
    err = _refused(_set, s, "5", bonus="0.3")
    assert isinstance(err, FinalConflictError) and err.server.value == "4"
    err = _refused(_set, s, "5", bonus="0.3", base_version=7)
    assert isinstance(err, FinalConflictError) and err.server.version == 1
    assert isinstance(_refused(_set, s, "4", pupil=s.pupils[1], base_version=3),
                      FinalConflictError)


def test_year_grade(kg):
    """Is the year mark refused until every quarter has a grade, then only the average of the
    quarters ('ex' left out) accepted; 'na' always?"""
    s = kg
    assert _refused(_set, s, "4", period=None).code == "periods_missing"
    for period, value in zip(s.periods[1:], ["5", "ex", "5"], strict=True):
        db.session.add(FinalGrade(organization_id=s.c5a.organization_id, year_id=s.year.id,
                                  period_id=period.id, class_id=s.c5a.id,
                                  subject_id=s.math.id, student_id=s.pupil.id, value=value))
    db.session.commit()
    assert _refused(_set, s, "5", period=None).code == "periods_missing"  # q1 missing
    _set(s, "4")
    assert _refused(_set, s, "4", period=None).code == "final_out_of_limits"  # 14/3 -> 5
    year = _set(s, "5", period=None)
    assert (year.value, year.computed, year.period_id) == ("5", "4.667", None)
    row = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupil.id])[s.pupil.id]
    assert (row["year_final"], row["year_suggested"]) == ("5", "5")
    assert _set(s, "na", period=None, pupil=s.pupils[1]).value == "na"


def test_subject_without_attestation(kg):
    """Is a final for a subject without attestation refused?"""
    s = kg
    s.math.without_attestation = True
    db.session.commit()
    assert _refused(_set, s, "4").code == "without_attestation"


def test_who_sets_finals(kg, net):
    """Only the section's teacher sets finals: the class teacher, the director, another
    subject's teacher and a teacher of another school are refused (scope); a pupil of another
    class is refused; a substitute of the latest lesson may set them?"""
    s = kg
    for user in (s.t3.user, net.director_a.person.user, net.teacher_b.person.user,
                 net.dist_a_admin.person.user):
        assert isinstance(_refused(_set, s, "4", scope=build_scope(user)), ScopeError)
    assert _refused(_set, s, "4", pupil=s.outsider).code == "not_in_class"
    latest = max(s.lessons, key=lambda x: x.date)
    latest.substitute_teacher_id = s.t3.id
    db.session.commit()
    assert _set(s, "4", scope=build_scope(s.t3.user)).value == "4"


def test_criteria_and_plain_limits(app, db, net):
    """Kazakh criteria: only the percent's mark (77 % -> 4) is accepted, no bonus; plain
    average: only the rounded average."""
    s = factories.journal_school(net)
    settings = set_policy(net.SA1.id, "kz_criteria")
    put_marks(s.lessons, s.pupil, [(5, "formative"), (4, "formative"),
                                   (15, "sum_section", 20), (18, "sum_term", 25)])
    s.teacher = build_scope(s.t1.user)
    assert _refused(_set, s, "5").code == "final_out_of_limits"
    assert _refused(_set, s, "4", bonus="0.1").field == "bonus"
    assert _set(s, "4").computed == "77.250"
    settings.grading_policy = "plain_average"
    db.session.commit()
    put_marks(s.lessons, s.pupils[1], [(5, "intermediate"), (4, "control")])
    assert _refused(_set, s, "4", pupil=s.pupils[1]).code == "final_out_of_limits"
    assert _set(s, "5", pupil=s.pupils[1]).computed == "4.500"


def test_set_final_query_count(kg, count_queries):
    """How many queries does setting one period grade take (a handful, independent of the
    number of marks)?"""
    s = kg
    args = dict(class_id=s.c5a.id, subject_id=s.math.id, period_id=s.q1.id,
                student_id=s.pupil.id)
    db.session.expire_all()
    scope = s.teacher
    with count_queries() as counter:
        set_final(scope, value="4", **args)
    assert counter.count <= 12  # measured 12 with the two inserts


def test_final_commands_refuse_another_school(kg, net):
    """May an administrator of another school (or an empty scope) set a grade or confirm a
    section's grades? ScopeError, and no grade or history row is written."""
    s = kg
    for scope in (build_scope(net.school_b_admin.person.user), UserScope()):
        with pytest.raises(ScopeError):
            _set(s, "4", scope=scope)
        with pytest.raises(ScopeError):
            confirm_section(scope, class_id=s.c5a.id, subject_id=s.math.id,
                            period_id=s.q1.id)
    db.session.expire_all()
    assert db.session.query(FinalGrade).count() == 0
    assert db.session.query(JournalChange).count() == 0
