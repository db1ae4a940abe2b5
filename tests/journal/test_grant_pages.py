"""Access grants page (/journalgrants) and journal settings page (/journalsettings): who may
grant, revoke, read; expiry by date; settings validation (jgrades)."""
import datetime as dt

import pytest

from app import clock
from app.extensions import db
from app.models.journal import AccessGrant, JournalSettings
from app.security.journal.scope import active_grant
from app.security.scopes import UserScope, build_scope
from app.services.errors import ScopeError
from app.services.journal import grants, settings
from tests import factories

TODAY = dt.date(2026, 11, 2)


@pytest.fixture()
def s(app, db, net, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return factories.journal_school(net)


def _form(s, until=TODAY + dt.timedelta(days=7), reason="Correct the first quarter",
          grantee=None):
    return {"grantee": (grantee or s.t1).id, "school_class": s.c5a.id, "subject": s.math.id,
            "period": s.q1.id, "until": until.isoformat(), "reason": reason}


def _add(client, s, **kw):
    return client.post("/journalgrants/add", data=_form(s, **kw), follow_redirects=True)


def test_director_grants_and_refusals(s, login, net):
    """Does the director grant access (granted_by = director, school filled in); are a past
    day, more than 30 days ahead, an empty reason and a non-teacher refused with the field's
    rule?"""
    client = login("director_a")
    form = client.get("/journalgrants/add").get_data(as_text=True)
    assert "grant_teacher" in form and "Last day of access" in form
    page = _add(client, s, until=TODAY - dt.timedelta(days=1)).get_data(as_text=True)
    assert "cannot be in the past" in page
    page = _add(client, s, until=TODAY + dt.timedelta(days=31)).get_data(as_text=True)
    assert "at most 30 days" in page
    _add(client, s, reason="   ")
    _add(client, s, grantee=s.pupil)
    assert db.session.query(AccessGrant).count() == 0
    _add(client, s, until=TODAY + dt.timedelta(days=30))
    grant = db.session.query(AccessGrant).one()
    assert (grant.organization_id, grant.granted_by_id, grant.grantee_id) == \
        (net.SA1.id, net.director_a.person.id, s.t1.id)
    assert grant.state == "active"
    assert "Correct the first quarter" in client.get("/journalgrants/list/").get_data(
        as_text=True)


def test_teacher_and_others_cannot_grant(s, login, net):
    """May a teacher or a district head add a grant, or an administrator of another school?"""
    for username in ("teacher_a", "dist_a_head", "school_b_admin"):
        _add(login(username), s)
    assert db.session.query(AccessGrant).count() == 0
    _add(login("school_a_admin"), s)
    _add(login("deputy_a"), s)
    assert db.session.query(AccessGrant).count() == 2


def _grant(s, net, **kw):
    values = dict(organization_id=net.SA1.id, granted_by_id=net.director_a.person.id,
                  grantee_id=s.t1.id, class_id=s.c5a.id, subject_id=s.math.id,
                  period_id=s.q1.id, until=TODAY, reason="Fix")
    values.update(kw)
    grant = AccessGrant(**values)
    db.session.add(grant)
    db.session.commit()
    return grant


def test_expiry_by_date(s, net, monkeypatch):
    """Does a grant work through its last day and stop the day after, with no job run?"""
    grant = _grant(s, net)
    assert active_grant({s.t1.id}, s.c5a.id, s.math.id, s.q1.id, TODAY).id == grant.id
    assert grant.state == "active"
    monkeypatch.setattr(clock, "today", lambda: TODAY + dt.timedelta(days=1))
    assert active_grant({s.t1.id}, s.c5a.id, s.math.id, s.q1.id,
                        clock.today()) is None
    assert grant.state == "expired"


def test_revoke(s, login, net):
    """Does the director's "Revoke" set revoked_at (the row stays), is an expired grant not
    revocable, and does the teacher's revoke do nothing?"""
    grant = _grant(s, net)
    expired = _grant(s, net, until=TODAY - dt.timedelta(days=3))
    login("teacher_a").post("/journalgrants/action_post",
                            data={"action": "revoke", "rowid": [grant.id]})
    db.session.expire_all()
    assert db.session.get(AccessGrant, grant.id).revoked_at is None
    login("director_a").post("/journalgrants/action_post",
                             data={"action": "revoke", "rowid": [grant.id, expired.id]})
    db.session.expire_all()
    assert db.session.get(AccessGrant, grant.id).revoked_at is not None
    assert db.session.get(AccessGrant, grant.id).state == "revoked"
    assert db.session.get(AccessGrant, expired.id).revoked_at is None
    assert db.session.query(AccessGrant).count() == 2
    assert active_grant({s.t1.id}, s.c5a.id, s.math.id, s.q1.id, TODAY) is None


def test_grant_list_scope(s, login, net):
    """Who sees which grants? The teacher their own (read-only: no add, no edit, no delete),
    another teacher none, the director and the district all of the school, another school
    none."""
    mine = _grant(s, net, reason="For teacher A")
    _grant(s, net, grantee_id=s.t2.id, reason="For the other teacher")
    teacher = login("teacher_a")
    page = teacher.get("/journalgrants/list/").get_data(as_text=True)
    assert "For teacher A" in page and "For the other teacher" not in page
    assert teacher.get(f"/journalgrants/show/{mine.id}").status_code == 200
    assert teacher.get("/journalgrants/add").status_code in (302, 403)
    assert teacher.get(f"/journalgrants/delete/{mine.id}").status_code in (302, 403, 404, 405)
    assert teacher.get(f"/journalgrants/edit/{mine.id}").status_code in (302, 403, 404)
    for username in ("director_a", "dist_a_head"):
        page = login(username).get("/journalgrants/list/").get_data(as_text=True)
        assert "For teacher A" in page and "For the other teacher" in page
    page = login("school_b_admin").get("/journalgrants/list/").get_data(as_text=True)
    assert "For teacher A" not in page
    assert login("school_b_admin").get(f"/journalgrants/show/{mine.id}").status_code in (
        302, 404)


def test_grant_lookups_are_scoped(s, login, net):
    """Does the grant form's teacher select offer only teachers of the director's school?"""
    resp = login("director_a").get("/api/v1/lookup/grant_teacher/?q=")
    ids = {r["id"] for r in resp.json["results"]}
    assert s.t1.id in ids and net.teacher_b.person.id not in ids and s.pupil.id not in ids
    resp = login("school_b_admin").get("/api/v1/lookup/grant_class/?q=")
    assert s.c5a.id not in {r["id"] for r in resp.json["results"]}


def _settings(client, org_id, **kw):
    data = {"organization": org_id, "grading_policy": "kg_weighted", "edit_window": "1w",
            "weight_formative": 25, "weight_section": 25, "weight_term": 50}
    data.update(kw)
    return client.post("/journalsettings/add", data=data, follow_redirects=True)


def test_settings_page(s, login, net):
    """Does the school administrator create the one settings row of the school (a second one
    refused), are weights not adding up to 100 refused naming the term weight, and does the
    director only read?"""
    admin = login("school_a_admin")
    form = admin.get("/journalsettings/add").get_data(as_text=True)
    assert "Two weeks after the lesson" in form and "Kyrgyz regulation" in form
    page = _settings(admin, net.SA1.id, weight_term=40).get_data(as_text=True)
    assert "must add up to 100%; now 90%" in page
    assert db.session.query(JournalSettings).count() == 0
    _settings(admin, net.SA1.id)
    row = db.session.query(JournalSettings).one()
    assert (row.grading_policy.value, row.edit_window) == ("kg_weighted", "1w")
    page = _settings(admin, net.SA1.id).get_data(as_text=True)
    assert "already has journal settings" in page
    admin.post(f"/journalsettings/edit/{row.id}", data={
        "grading_policy": "kz_criteria", "edit_window": "never", "weight_formative": 0,
        "weight_section": 40, "weight_term": 60})
    db.session.expire_all()
    row = db.session.query(JournalSettings).one()
    assert (row.grading_policy.value, row.edit_window, row.weight_term) == \
        ("kz_criteria", "never", 60)
    director = login("director_a")
    assert "One week after the lesson" not in director.get("/journalsettings/list/") \
        .get_data(as_text=True)
    assert "Never closes" in director.get("/journalsettings/list/").get_data(as_text=True)
    assert director.get(f"/journalsettings/edit/{row.id}").status_code in (302, 403, 404)
    _settings(director, net.SA1.id, grading_policy="plain_average")
    _settings(login("school_b_admin"), net.SA1.id, grading_policy="plain_average")
    assert db.session.query(JournalSettings).count() == 1
    assert "Never closes" not in login("school_b_admin").get("/journalsettings/list/") \
        .get_data(as_text=True)


def test_grant_list_query_count(s, login, net, count_queries):
    """Does the grants list take the same number of queries for 1 and for 8 grants (no
    query per row)?"""
    client = login("director_a")
    _grant(s, net)
    client.get("/journalgrants/list/")
    with count_queries() as one:
        assert client.get("/journalgrants/list/").status_code == 200
    for i in range(7):
        _grant(s, net, grantee_id=(s.t2 if i % 2 else s.t1).id, reason=f"R{i}")
    with count_queries() as many:
        page = client.get("/journalgrants/list/").get_data(as_text=True)
    assert "R6" in page
    assert many.count == one.count


def test_grant_and_settings_rules_refuse_another_school(s, net):
    """May an administrator of another school (or an empty scope) give a grant, revoke one
    or write the journal settings of school A1? ScopeError from the service rule, and
    nothing changes."""
    grant = _grant(s, net)
    for scope in (build_scope(net.school_b_admin.person.user), UserScope()):
        new = AccessGrant(grantee_id=s.t1.id, class_id=s.c5a.id, subject_id=s.math.id,
                          period_id=s.q1.id, until=TODAY, reason="Fix")
        with pytest.raises(ScopeError):
            grants.check_grant(scope, new)
        assert new.organization_id is None and new.granted_by_id is None
        with pytest.raises(ScopeError):
            grants.revoke_grant(scope, grant)
        row = JournalSettings(organization_id=net.SA1.id, grading_policy="plain_average",
                              edit_window="1w", weight_formative=25, weight_section=25,
                              weight_term=50)
        with pytest.raises(ScopeError) as err:
            settings.check_settings(scope, row)
        assert str(err.value) == "You may not change the journal settings of this school"
    db.session.expire_all()
    assert db.session.get(AccessGrant, grant.id).revoked_at is None
    assert db.session.query(AccessGrant).count() == 1
    assert db.session.query(JournalSettings).count() == 0
