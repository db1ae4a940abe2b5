"""The grid page, its JSON endpoints and the journal's REST resources, per role."""
import datetime as dt
import json
import re

import pytest

from app import clock
from app.extensions import db as _db
from app.models.journal import JournalCell, JournalChange, Mark
from tests import factories

TODAY = dt.date(2026, 9, 10)


@pytest.fixture()
def school(net, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return factories.journal_school(net)


def _grid_url(s):
    return f"/journal/grid/{s.c5a.id}/{s.math.id}/{s.q1.id}"


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="journal-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_teacher_opens_grid(school, login):
    """Does the maths teacher see the grid with pupils as rows and lessons as columns?"""
    s = school
    client = login("teacher_a")
    resp = client.get(_grid_url(s))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    data = _data(resp.get_data(as_text=True))
    assert len(data["pupils"]) == 5
    assert len(data["lessons"]) == 10
    assert data["lessons"][0]["write_marks"] is True


def test_teacher_saves_cell(school, login):
    """Can the teacher save "4 5" in a cell, and is the history written?"""
    s = school
    client = login("teacher_a")
    lesson, pupil = s.lessons[0], s.pupils[0]
    resp = client.post("/api/v1/journal/cell", json={
        "lesson_id": lesson.id, "student_id": pupil.id, "marks": [{"value": 4}, {"value": 5}],
        "base_version": 0, "op_id": "op-1"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json["cell"]["version"] == 1
    assert [m.value for m in _db.session.query(Mark).order_by(Mark.position)] == [4, 5]
    ch = _db.session.query(JournalChange).one()
    assert (ch.old_value, ch.new_value) == ("", "4 5")
    assert _db.session.query(JournalCell).one().version == 1


def _post_cell(client, s, **body):
    payload = {"lesson_id": s.lessons[0].id, "student_id": s.pupils[0].id, "base_version": 0}
    payload.update(body)
    return client.post("/api/v1/journal/cell", json=payload)


def test_class_teacher_grid_attendance_only(school, login):
    """Does the class teacher read the grid, record attendance and get marks refused?"""
    s = school
    client = login("class_teacher_a")
    data = _data(client.get(_grid_url(s)).get_data(as_text=True))
    assert data["lessons"][0]["write_marks"] is False
    assert data["lessons"][0]["write_attendance"] is True
    resp = _post_cell(client, s, marks=[5])
    assert resp.status_code == 403 and resp.json["code"] == "not_lesson_teacher"
    assert "Only the teacher of this lesson" in resp.json["message"]["marks"][0]
    resp = _post_cell(client, s, attendance={"code": "late", "minutes": 10})
    assert resp.status_code == 200 and resp.json["cell"]["attendance"]["minutes"] == 10


def test_director_and_district_read_only(school, login, net):
    """Do the director and the district read the grid without any right to write?"""
    s = school
    for username in ("director_a", "dist_a_head"):
        client = login(username)
        resp = client.get(_grid_url(s))
        assert resp.status_code == 200, username
        data = _data(resp.get_data(as_text=True))
        assert not data["can_write"], username
        assert _post_cell(client, s, marks=[5]).status_code == 403, username
    assert _db.session.query(Mark).count() == 0


def test_other_teacher_pupil_parent_school_b_refused(school, login, net):
    """Teacher of another subject, pupil, parent and school B: no grid, no saving."""
    s = school
    factories.make_user(s.t2, "teacher_a_plain")
    _db.session.commit()
    client = login("teacher_a_plain")
    assert client.get(_grid_url(s)).status_code == 404
    assert _post_cell(client, s, marks=[5]).status_code == 404
    lang = f"/journal/grid/{s.c5a.id}/{s.lang.id}/{s.q1.id}"
    assert client.get(lang).status_code == 200
    for username in ("pupil_a", "parent_a"):
        client = login(username)
        assert client.get(_grid_url(s)).status_code in (302, 403), username
        assert _post_cell(client, s, marks=[5]).status_code in (401, 403), username
        assert client.get("/api/v1/journal/grid", query_string={
            "class_id": s.c5a.id, "subject_id": s.math.id,
            "period_id": s.q1.id}).status_code in (401, 403)
    client = login("school_b_admin")
    assert client.get(_grid_url(s)).status_code == 404
    assert _db.session.query(Mark).count() == 0


def test_conflict_and_replay_over_http(school, login):
    """Does a stale save get 409 with the server's cell, and a resent op id the same 200?"""
    s = school
    client = login("teacher_a")
    first = _post_cell(client, s, marks=[5], op_id="o1")
    again = _post_cell(client, s, marks=[5], op_id="o1")
    assert first.status_code == again.status_code == 200
    assert again.json["replayed"] is True
    resp = _post_cell(client, s, marks=[3], op_id="o2")
    assert resp.status_code == 409
    assert resp.json["conflict"] is True and resp.json["server"]["marks"][0]["value"] == 5


def test_refusal_message_is_translated(school, login):
    """Does a refusal come back in the user's language (Russian)?"""
    s = school
    client = login("teacher_a")
    client.get("/lang/ru")
    resp = _post_cell(client, s, marks=[7])
    assert resp.status_code == 422 and resp.json["code"] == "mark_range"
    assert "2" in resp.json["message"]["value"][0]
    assert "mark" not in resp.json["message"]["value"][0]


def test_csrf_required_for_browser_session(school, login, app):
    """Is a cookie-session save without the CSRF token refused, and a token client not?"""
    s = school
    client = login("teacher_a")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _post_cell(client, s, marks=[5]).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_token_client_saves(school, api_token):
    """Can an API client with a JWT token save a cell and read the grid?"""
    s = school
    from flask import current_app

    client = current_app.test_client()
    headers = api_token("teacher_a")
    resp = client.post("/api/v1/journal/cell", headers=headers, json={
        "lesson_id": s.lessons[0].id, "student_id": s.pupils[1].id,
        "attendance": {"code": "absent"}, "base_version": 0})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    grid = client.get("/api/v1/journal/grid", headers=headers, query_string={
        "class_id": s.c5a.id, "subject_id": s.math.id, "period_id": s.q1.id})
    assert grid.status_code == 200
    assert grid.json["cells"][f"{s.lessons[0].id}:{s.pupils[1].id}"]["attendance"][
        "code"] == "absent"


def test_fill_and_lesson_endpoints(school, login):
    """Do the fill-down and lesson-panel endpoints work for the teacher?"""
    s = school
    client = login("teacher_a")
    resp = client.post("/api/v1/journal/fill", json={"lesson_id": s.lessons[0].id,
                                                     "value": "н"})
    assert resp.status_code == 200 and len(resp.json["cells"]) == 5
    lesson = client.get(f"/api/v1/journal/lesson/{s.lessons[0].id}")
    assert lesson.status_code == 200 and lesson.json["writable"] is True
    resp = client.post(f"/api/v1/journal/lesson/{s.lessons[0].id}", json={
        "topic": "Natural numbers", "homework": "No. 5", "base_version": 0})
    assert resp.status_code == 200 and resp.json["topic"] == "Natural numbers"
    resp = client.post(f"/api/v1/journal/lesson/{s.lessons[0].id}", json={
        "topic": "x", "base_version": 0})
    assert resp.status_code == 409


def _grow(s, net, lessons: int, pupils: int):
    """Add lessons and pupils to 5 А maths so the grid has ``lessons`` x ``pupils``."""
    from app.models.journal import JournalCell as Cell
    from app.models.study import ClassEnrollment
    from app.models.timetable import Lesson

    day = dt.date(2026, 9, 2)
    extra = []
    for i in range(lessons - len(s.lessons)):
        d = day + dt.timedelta(days=i % 50)
        extra.append(Lesson(organization_id=net.SA1.id, period_id=s.q1.id, date=d,
                            number=3 + i // 50, starts_at=dt.time(10), ends_at=dt.time(10, 45),
                            class_id=s.c5a.id, subject_id=s.math.id, teacher_id=s.t1.id))
    _db.session.add_all(extra)
    for i in range(pupils - len(s.pupils)):
        p = factories.student(net.SA1, None, last=f"Extra{i:02d}", first="X")
        _db.session.flush()
        _db.session.add(ClassEnrollment(organization_id=net.SA1.id, class_id=s.c5a.id,
                                        person_id=p.id, from_date=dt.date(2026, 9, 1)))
    _db.session.flush()
    all_lessons = _db.session.query(Lesson).filter_by(subject_id=s.math.id).all()
    pids = [e.person_id for e in _db.session.query(ClassEnrollment).filter_by(
        class_id=s.c5a.id)]
    for lesson in all_lessons:
        for pid in pids:
            cell = Cell(organization_id=net.SA1.id, lesson_id=lesson.id, student_id=pid,
                        version=1)
            _db.session.add(cell)
    _db.session.flush()
    for cell in _db.session.query(Cell):
        _db.session.add(Mark(organization_id=net.SA1.id, cell_id=cell.id,
                             lesson_id=cell.lesson_id, student_id=cell.student_id, value=4))
    _db.session.commit()


@pytest.mark.parametrize("size", [(3, 3), (30, 30)])
def test_grid_fixed_query_count(school, net, login, count_queries, size):
    """Is the grid page built in the same number of queries for 3x3 and 30x30?"""
    s = school
    from app.models.timetable import Lesson

    if size[0] < len(s.lessons):
        for lesson in s.lessons[size[0]:]:
            lesson.subject_id = s.lang.id
        _db.session.commit()
    _grow(s, net, *size)
    client = login("teacher_a")
    client.get(_grid_url(s))  # warm up (permissions cache)
    with count_queries() as q:
        resp = client.get(_grid_url(s))
    data = _data(resp.get_data(as_text=True))
    n_lessons = _db.session.query(Lesson).filter_by(subject_id=s.math.id).count()
    assert len(data["lessons"]) == n_lessons
    assert len(data["cells"]) == n_lessons * len(data["pupils"])
    test_grid_fixed_query_count.counts[size] = q.count
    assert q.count <= 20, q.statements
    if len(test_grid_fixed_query_count.counts) == 2:
        assert len(set(test_grid_fixed_query_count.counts.values())) == 1, \
            test_grid_fixed_query_count.counts


test_grid_fixed_query_count.counts = {}


def test_rest_marks_and_attendance_scope(school, login, net):
    """Who reads which marks through REST? Teacher: their lessons; parent: their children;
    pupil: own; school B: none."""
    s = school
    teacher = login("teacher_a")
    for i, p in enumerate(s.pupils):
        assert _post_cell(teacher, s, student_id=p.id, marks=[3 + i % 3],
                          attendance={"code": "absent"}).status_code == 200

    def ids(username, resource):
        resp = login(username).get(f"/api/v1/{resource}/", query_string={
            "q": json.dumps({"page_size": 100})})
        assert resp.status_code == 200, (username, resp.get_data(as_text=True))
        return {r["student_id"] for r in resp.json["result"]}

    everyone = {p.id for p in s.pupils}
    assert ids("teacher_a", "journal_mark") == everyone
    assert ids("director_a", "journal_attendance") == everyone
    assert ids("parent_a", "journal_mark") == {s.pupils[0].id, s.pupils[1].id}
    assert ids("pupil_a", "journal_attendance") == {s.pupils[0].id}
    assert ids("school_b_admin", "journal_mark") == set()
    lessons = login("pupil_a").get("/api/v1/journal_lesson/").json["result"]
    assert {x["subject_id"] for x in lessons} == {s.math.id, s.lang.id}
    other = login("pupil_a").get(f"/api/v1/journal_mark/?q={json.dumps({'page_size': 5})}")
    assert other.status_code == 200


def test_grid_marks_lessons_outside_enrolment(school, net):
    """Does a pupil who arrived mid-period have the earlier lessons disabled, and a pupil who
    left before the period not appear at all?"""
    from app.models.study import ClassEnrollment
    from app.security.scopes import build_scope
    from app.services.journal.grid import build_grid

    s = school
    late = _db.session.query(ClassEnrollment).filter_by(person_id=s.pupils[4].id).one()
    late.from_date = dt.date(2026, 9, 8)
    gone = _db.session.query(ClassEnrollment).filter_by(person_id=s.pupils[3].id).one()
    gone.from_date, gone.to_date = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
    _db.session.commit()
    data = build_grid(s.c5a.id, s.math.id, s.q1.id, None, build_scope(s.t1.user), TODAY)
    rows = {p["id"]: p for p in data["pupils"]}
    assert s.pupils[3].id not in rows
    early = {x.id for x in s.lessons if x.date < dt.date(2026, 9, 8)}
    assert set(rows[s.pupils[4].id]["out"]) == early
    assert rows[s.pupils[0].id]["out"] == []


def _subgroup_with_lesson(s, net, members):
    """A maths subgroup "Group 1" of 5 А with ``members`` and one lesson of its own."""
    from app.models.study import Subgroup, SubgroupMember
    from app.models.timetable import Lesson

    g = Subgroup(organization_id=net.SA1.id, class_id=s.c5a.id, subject_id=s.math.id,
                 name="Group 1")
    _db.session.add(g)
    _db.session.flush()
    for p in members:
        _db.session.add(SubgroupMember(organization_id=net.SA1.id, subgroup_id=g.id,
                                       person_id=p.id, from_date=dt.date(2026, 9, 1)))
    lesson = Lesson(organization_id=net.SA1.id, period_id=s.q1.id, date=dt.date(2026, 9, 3),
                    number=5, starts_at=dt.time(12), ends_at=dt.time(12, 45),
                    class_id=s.c5a.id, subgroup_id=g.id, subject_id=s.math.id,
                    teacher_id=s.t1.id)
    _db.session.add(lesson)
    _db.session.commit()
    return g, lesson


def test_subgroup_grid(school, net, login):
    """Does a subgroup grid list only the subgroup's members and its own lessons?"""
    s = school
    g, lesson = _subgroup_with_lesson(s, net, s.pupils[:2])
    client = login("teacher_a")
    data = _data(client.get(_grid_url(s) + f"?subgroup={g.id}").get_data(as_text=True))
    assert [x["id"] for x in data["lessons"]] == [lesson.id]
    assert {p["id"] for p in data["pupils"]} == {s.pupils[0].id, s.pupils[1].id}
    assert _post_cell(client, s, lesson_id=lesson.id, student_id=s.pupils[2].id,
                      marks=[5]).json["code"] == "not_enrolled"
    index = client.get("/journal/").get_data(as_text=True)
    assert f"subgroup={g.id}" in index and "Group 1" in index


def test_grid_page_in_kazakh(school, login):
    """Is the grid page's text (and the script's strings) in Kazakh when chosen?"""
    s = school
    client = login("teacher_a")
    html = client.get(_grid_url(s) + "?_l_=kk").get_data(as_text=True)
    m = re.search(r'<script type="application/json" id="journal-strings">(.*?)</script>',
                  html, re.S)
    strings = json.loads(m.group(1))
    assert strings["pending"] == "Жіберуді күтуде"
    assert strings["locale"] == "kk"
    assert "Сынып журналы" in html


def test_grid_shows_active_grant_and_closed_pupils(school, net):
    """Does the grid carry the teacher's active grant (not a revoked or expired one) and the
    pupils whose period grade closes their cells?"""
    from app.models.journal import AccessGrant, FinalGrade, FinalKind
    from app.security.scopes import build_scope
    from app.services.journal.grid import build_grid

    s = school

    def grant(until, revoked=None):
        g = AccessGrant(organization_id=net.SA1.id, granted_by_id=net.director_a.person.id,
                        grantee_id=s.t1.id, class_id=s.c5a.id, subject_id=s.math.id,
                        period_id=s.q1.id, until=until, reason="r", revoked_at=revoked)
        _db.session.add(g)
        return g

    grant(TODAY - dt.timedelta(days=1))
    grant(TODAY + dt.timedelta(days=9), revoked=dt.datetime(2026, 9, 9))
    scope = build_scope(s.t1.user)
    assert build_grid(s.c5a.id, s.math.id, s.q1.id, None, scope, TODAY)["grant"] is None
    g = grant(TODAY + dt.timedelta(days=3))
    _db.session.add(FinalGrade(organization_id=net.SA1.id, year_id=s.year.id,
                               kind=FinalKind.period, period_id=s.q1.id, class_id=s.c5a.id,
                               subject_id=s.math.id, student_id=s.pupils[2].id, value="4"))
    _db.session.commit()
    data = build_grid(s.c5a.id, s.math.id, s.q1.id, None, scope, TODAY)
    assert data["grant"] == {"id": g.id, "until": "2026-09-13"}
    assert data["closed"] == [s.pupils[2].id]
    other = build_grid(s.c5a.id, s.math.id, s.q1.id, None, build_scope(s.t3.user), TODAY)
    assert other["grant"] is None


@pytest.mark.parametrize("policy", ["kg_weighted", "kz_criteria", "plain_average"])
def test_grid_finals_match_section_finals(school, net, policy):
    """Does the grid compute the final-grade columns from the cells it read exactly as
    section_finals does from its own query - counting the marks of a subgroup's lesson in
    the class grid and the whole class's lessons in the subgroup grid - with the period and
    year grades already set?"""
    from app.models.journal import FinalGrade, FinalKind
    from app.security.scopes import build_scope
    from app.services.journal.grid import build_grid
    from app.services.journal.queries import section_finals
    from tests.journal.grades_helpers import KG_EXAMPLE, put_marks, set_policy

    s = school
    set_policy(net.SA1.id, policy)
    g, extra = _subgroup_with_lesson(s, net, s.pupils[:1])
    kz = [(5, "formative"), (3, "formative", 4), (15, "sum_section", 20),
          (18, "sum_term", 25)]
    put_marks(s.lessons, s.pupils[0], KG_EXAMPLE if policy != "kz_criteria" else kz)
    put_marks(s.lessons[2:], s.pupils[1], [(3, "intermediate"), (5, "control"),
                                           (2, "formative"), (7, "sum_term", 10)])
    put_marks([extra], s.pupils[0], [(2, "control") if policy != "kz_criteria"
                                     else (1, "sum_section", 10)])
    for period, value in zip(s.periods, ["4", "5", "ex", "3"], strict=True):
        _db.session.add(FinalGrade(
            organization_id=net.SA1.id, year_id=s.year.id, kind=FinalKind.period,
            period_id=period.id, class_id=s.c5a.id, subject_id=s.math.id,
            student_id=s.pupils[2].id, value=value, version=2))
    _db.session.add(FinalGrade(organization_id=net.SA1.id, year_id=s.year.id,
                               kind=FinalKind.year, class_id=s.c5a.id, subject_id=s.math.id,
                               student_id=s.pupils[2].id, value="4", version=1))
    _db.session.commit()
    scope = build_scope(s.t1.user)
    whole = build_grid(s.c5a.id, s.math.id, s.q1.id, None, scope, TODAY)
    assert extra.id not in {x["id"] for x in whole["lessons"]}
    ids = [p["id"] for p in whole["pupils"]]
    expected = section_finals(s.c5a.id, s.math.id, s.q1.id, ids)
    assert whole["finals"] == {str(k): v for k, v in expected.items()}
    assert expected[s.pupils[0].id]["computed"] is not None
    assert expected[s.pupils[2].id]["year_suggested"] == "4"  # (4 + 5 + 3) / 3, ex left out
    assert expected[s.pupils[2].id]["year_final"] == "4"
    alone = section_finals(s.c5a.id, s.math.id, s.q1.id, [s.pupils[0].id])[s.pupils[0].id]
    sub = build_grid(s.c5a.id, s.math.id, s.q1.id, g.id, scope, TODAY)
    assert [x["id"] for x in sub["lessons"]] == [extra.id]
    assert sub["finals"] == {str(s.pupils[0].id): alone}
