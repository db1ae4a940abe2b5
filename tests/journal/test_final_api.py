"""POST /api/v1/journal/final, /finals/confirm and the read resource /api/v1/final_grade/
through the real login of each role (jgrades)."""
import datetime as dt

import pytest

from app import clock
from app.extensions import db
from app.models.journal import FinalGrade, JournalChange
from tests import factories
from tests.journal.grades_helpers import KG_EXAMPLE, put_marks, set_policy


@pytest.fixture()
def s(app, db, net, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 2))
    s = factories.journal_school(net)
    set_policy(net.SA1.id, "kg_weighted")
    put_marks(s.lessons, s.pupil, KG_EXAMPLE)
    put_marks(s.lessons, s.pupils[1], [(5, "intermediate"), (5, "control")])
    return s


def _body(s, pupil=None, **kw):
    return {"class_id": s.c5a.id, "subject_id": s.math.id, "period_id": s.q1.id,
            "student_id": (pupil or s.pupil).id, **kw}


def test_teacher_sets_and_conflicts(s, login):
    """Does the teacher get 200 {final, version}, 422 for a final outside the limits (field
    named), and 409 with the server's grade for a stale version?"""
    client = login("teacher_a")
    resp = client.post("/api/v1/journal/final", json=_body(s, value="5", bonus="0.4"))
    assert resp.status_code == 422 and "bonus" in resp.json["message"]
    resp = client.post("/api/v1/journal/final", json=_body(s, value="3"))
    assert resp.status_code == 422 and resp.json["code"] == "final_out_of_limits"
    resp = client.post("/api/v1/journal/final", json=_body(s, value="5", bonus="0.3"))
    assert resp.status_code == 200, resp.json
    assert resp.json["version"] == 1 and resp.json["final"]["value"] == "5"
    assert resp.json["final"]["computed"] == "4.233"
    resp = client.post("/api/v1/journal/final", json=_body(s, value="4", base_version=0))
    assert resp.status_code == 409 and resp.json["server"]["value"] == "5"
    resp = client.post("/api/v1/journal/final", json=_body(s, value="4", base_version=1))
    assert resp.status_code == 422 and resp.json["code"] == "period_closed"
    resp = client.post("/api/v1/journal/final", json={"class_id": "x"})
    assert resp.status_code == 422 and "class_id" in resp.json["message"]


def test_others_cannot_set(s, login, net, api_token, app):
    """Are the class teacher, the director, a teacher of another school, a district head, a
    pupil and a parent refused (403) and nothing stored?"""
    factories.make_user(net.teacher_b.person, "teacher_b")
    db.session.commit()
    for username in ("class_teacher_a", "director_a", "teacher_b", "dist_a_head", "pupil_a",
                     "parent_a"):
        resp = login(username).post("/api/v1/journal/final", json=_body(s, value="4"))
        assert resp.status_code in (401, 403), (username, resp.status_code)
    headers = api_token("director_a")
    resp = app.test_client().post("/api/v1/journal/final", json=_body(s, value="4"),
                                  headers=headers)
    assert resp.status_code == 403
    assert db.session.query(FinalGrade).count() == 0


def test_confirm_section(s, login):
    """Does "confirm all" set the suggested grade of every pupil with marks who has none, in
    one go, leave pupils without marks, and refuse the director?"""
    assert login("director_a").post("/api/v1/journal/finals/confirm", json=_body(s)) \
        .status_code == 403
    resp = login("teacher_a").post("/api/v1/journal/finals/confirm", json=_body(s))
    assert resp.status_code == 200 and resp.json == {"confirmed": 2, "left": 3}
    values = {f.student_id: f.value for f in db.session.query(FinalGrade)}
    assert values == {s.pupil.id: "4", s.pupils[1].id: "5"}
    assert db.session.query(JournalChange).count() == 2
    resp = login("teacher_a").post("/api/v1/journal/finals/confirm", json=_body(s))
    assert resp.json == {"confirmed": 0, "left": 3}


def _ids(client, **query):
    resp = client.get("/api/v1/final_grade/?q=(page_size:100)")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {row["student_id"] for row in resp.json["result"]}


def test_final_grade_resource_scope(s, login, net):
    """Who reads final grades through REST? The teacher, class teacher, director and district
    staff all of the section; a teacher of another school none; a pupil only their own; a
    parent only their children's; nobody may POST."""
    for pupil in s.pupils + [s.outsider]:
        db.session.add(FinalGrade(organization_id=net.SA1.id, year_id=s.year.id,
                                  period_id=s.q1.id, class_id=s.c5a.id if pupil is not
                                  s.outsider else s.c5b.id, subject_id=s.math.id,
                                  student_id=pupil.id, value="4"))
    db.session.commit()
    factories.make_user(net.teacher_b.person, "teacher_b")
    db.session.commit()
    section = {p.id for p in s.pupils}
    assert _ids(login("teacher_a")) == section  # teaches 5 А maths only
    assert _ids(login("class_teacher_a")) == section
    assert _ids(login("director_a")) == section | {s.outsider.id}
    assert _ids(login("dist_a_admin")) == section | {s.outsider.id}
    assert _ids(login("teacher_b")) == set()
    assert _ids(login("pupil_a")) == {s.pupil.id}
    assert _ids(login("parent_a")) == {s.pupils[0].id, s.pupils[1].id}
    other = db.session.query(FinalGrade).filter_by(student_id=s.pupils[3].id).one()
    assert login("pupil_a").get(f"/api/v1/final_grade/{other.id}").status_code == 404
    assert login("director_a").post("/api/v1/final_grade/", json={}).status_code in (403, 404,
                                                                                       405)


def test_section_grades_page(s, login, net):
    """Does the section's grades page show computed values to its readers (teacher with the
    confirm button, director without), 404 for a teacher of another school, and does the
    teacher's "Confirm all" set the grades while the director's is refused?"""
    url = f"/journalfinals/{s.c5a.id}/{s.math.id}/{s.q1.id}"
    teacher = login("teacher_a")
    page = teacher.get(url).get_data(as_text=True)
    assert "4.233" in page and "Confirm all computed grades" in page
    director = login("director_a")
    page = director.get(url).get_data(as_text=True)
    assert "4.233" in page and "Confirm all computed grades" not in page
    director.post(url + "/confirm")
    assert db.session.query(FinalGrade).count() == 0
    factories.make_user(net.teacher_b.person, "teacher_b")
    db.session.commit()
    assert login("teacher_b").get(url).status_code in (302, 403, 404)
    page = teacher.post(url + "/confirm", follow_redirects=True).get_data(as_text=True)
    assert "Grades confirmed: 2" in page
    assert db.session.query(FinalGrade).count() == 2


def test_section_grades_page_flags_a_year_grade_to_review(s, login, net):
    """When the period grades no longer give the year grade that was set, does the section's
    page say so next to it, in the reader's language?"""
    from app.models.journal import FinalKind

    def final(value, period=None):
        db.session.add(FinalGrade(
            organization_id=net.SA1.id, year_id=s.year.id,
            kind=FinalKind.period if period else FinalKind.year,
            period_id=period.id if period else None, class_id=s.c5a.id,
            subject_id=s.math.id, student_id=s.pupils[2].id, value=value, version=1))

    for period, value in zip(s.periods, "2555", strict=True):
        final(value, period)
    final("5")
    db.session.commit()
    url = f"/journalfinals/{s.c5a.id}/{s.math.id}/{s.q1.id}"
    page = login("teacher_a").get(url).get_data(as_text=True)
    assert "The period grades now give 4: review the year grade" in page
    page = login("teacher_a").get(url + "?_l_=ru").get_data(as_text=True)
    assert "year-stale" in page and "review the year grade" not in page
