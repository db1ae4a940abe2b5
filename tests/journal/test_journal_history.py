"""The "journal change history" report: scope per role, filters, pagination, XLSX export
and a fixed number of queries (issue 4)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db as _db
from app.models.journal import AccessGrant, ChangeKind, JournalChange
from tests import factories


def change(s, lesson, pupil, author, old, new, at, kind=ChangeKind.mark, grant=None,
           reason=None):
    return JournalChange(organization_id=s.school.id, at=at, author_id=author.id, kind=kind,
                         class_id=lesson.class_id, subject_id=lesson.subject_id,
                         period_id=lesson.period_id, lesson_id=lesson.id,
                         student_id=pupil.id, old_value=old, new_value=new, reason=reason,
                         grant_id=grant.id if grant else None)


@pytest.fixture()
def school(net):
    """Changes in 5 А: three maths changes by teacher_a (one under an access grant given by
    the director), two language changes by teacher_a_plain."""
    s = factories.journal_school(net)
    s.grant = AccessGrant(organization_id=net.SA1.id, granted_by_id=net.director_a.person_id,
                          grantee_id=s.t1.id, class_id=s.c5a.id, subject_id=s.math.id,
                          period_id=s.q1.id, until=dt.date(2026, 11, 15),
                          reason="Correction after the quarter")
    _db.session.add(s.grant)
    _db.session.flush()
    day = dt.datetime(2026, 9, 10, 9, 0)
    _db.session.add_all([
        change(s, s.lessons[0], s.pupils[0], s.t1, None, "5", day),
        change(s, s.lessons[1], s.pupils[1], s.t1, "3", "4", day + dt.timedelta(days=1)),
        change(s, s.lessons[2], s.pupils[0], s.t1, "4", "5", dt.datetime(2026, 11, 5, 10),
               grant=s.grant, reason="MISCOUNT-REASON"),
        change(s, s.lang_lessons[0], s.pupils[0], s.t2, None, "absent", day,
               kind=ChangeKind.attendance),
        change(s, s.lang_lessons[1], s.pupils[2], s.t2, None, "4", day),
    ])
    _db.session.commit()
    return s


def rows_of(html: str) -> int:
    return html.count('class="kd-history-row"')


@pytest.mark.parametrize("username,expected", [
    ("teacher_a", 3), ("class_teacher_a", 5), ("director_a", 5), ("deputy_a", 5),
    ("dist_a_head", 5), ("school_b_admin", 0), ("dist_b_admin", 0),
])
def test_history_scope(app, school, login, username, expected):
    """Whose changes does each role see? A teacher: the sections they teach; the class
    teacher: the whole class; the administration and district: the whole school; another
    school or district: nothing."""
    resp = login(username).get("/journalhistory/")
    assert resp.status_code == 200
    assert rows_of(resp.get_data(as_text=True)) == expected


def test_pupil_and_parent_have_no_history(app, school, login):
    """May a pupil or a parent open the change history? No."""
    for username in ("pupil_a", "parent_a"):
        assert login(username).get("/journalhistory/").status_code in (302, 403)


def test_history_columns_and_grant(app, school, login):
    """Does a row show when, who, pupil, lesson date, kind, old -> new and the reason with
    the access grant it was made under?"""
    html = login("director_a").get(
        f"/journalhistory/?subject_id={school.math.id}&date_from=2026-11-01"
    ).get_data(as_text=True)
    assert rows_of(html) == 1
    for text in ("MISCOUNT-REASON", f"access grant No. {school.grant.id}", "4 → 5", "Pupil0",
                 "Учителев", "Mark"):
        assert text in html, text


def test_history_filters(app, school, login):
    """Do the class, subject, author, period and date filters narrow the rows?"""
    s = school
    client = login("class_teacher_a")

    def count(query):
        return rows_of(client.get("/journalhistory/?" + query).get_data(as_text=True))

    assert count(f"subject_id={s.lang.id}") == 2
    assert count(f"author_id={s.t1.id}") == 3
    assert count(f"class_id={s.c5b.id}") == 0
    assert count(f"period_id={s.q1.id}") == 5
    assert count(f"period_id={s.periods[1].id}") == 0
    assert count("date_from=2026-09-11&date_to=2026-09-11") == 1
    assert count("date_to=2026-09-10") == 3
    assert count("class_id=abc&date_from=nonsense") == 5  # malformed filters are ignored


def test_history_xlsx_same_filters(app, school, login):
    """Does the XLSX export hold the rows of the same filters, with a header?"""
    client = login("class_teacher_a")
    resp = client.get(f"/journalhistory/?format=xlsx&author_id={school.t1.id}")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("When", "Who", "Pupil")
    assert len(rows) == 4
    assert any(r[10] == "MISCOUNT-REASON" and r[11] for r in rows[1:])
    teacher_rows = load_workbook(io.BytesIO(
        login("teacher_a").get("/journalhistory/?format=xlsx").data)).active
    assert teacher_rows.max_row == 4  # header + the three maths changes only


def test_history_pagination_and_query_count(app, school, login, count_queries):
    """Is the report paginated (50 a page), and does a page take the same number of
    queries with 5 changes and with 120?"""
    s = school
    client = login("director_a")
    client.get("/journalhistory/")
    with count_queries() as few:
        client.get("/journalhistory/")
    at = dt.datetime(2026, 9, 20, 8, 0)
    _db.session.add_all([change(s, s.lessons[i % 10], s.pupils[i % 5], s.t1, "3", "4",
                                at + dt.timedelta(minutes=i)) for i in range(115)])
    _db.session.commit()
    with count_queries() as many:
        html = client.get("/journalhistory/").get_data(as_text=True)
    assert rows_of(html) == 50 and "1 / 3" in html
    assert many.count == few.count, (few.count, many.count)
    last = client.get("/journalhistory/?page=3").get_data(as_text=True)
    assert rows_of(last) == 20
