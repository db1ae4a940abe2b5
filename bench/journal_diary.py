"""Benchmark: the diary, the summary sheet and the journal change history on a full year.

Run: ``/work/main/.venv/bin/python -m bench.journal_diary``. In a fresh database it builds
the journal test school (``tests.factories.journal_school``), then with bulk inserts a
whole school year of lessons (6 a day, 5 days a week) for classes 5 А and 5 Б with 30
pupils each, a cell and a mark for every pupil on every lesson, and 250,000 change-history
rows; then times, through the test client with real logins, the diary week (page and
JSON), a quarter's summary sheet and the change history (first page as the director and as
a subject teacher, a filtered page, and a month's XLSX), with their SQL statement counts.
SQLite (temporary file) and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, that
PostgreSQL database (its public schema is dropped: never point it at one you care about).
Figures go to docs/performance.md.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
import statistics
import sys
import tempfile
import time

from bench.app_setup import bench_app, database_urls

os.environ.setdefault("KUNDELIK_ENV", "testing")

PUPILS = 30
N_CHANGES = 250_000
CHUNK = 5_000
REPEAT = 5


def _build(db, n, s):
    """A year of lessons, cells, marks and history for 5 А and 5 Б (bulk inserts)."""
    from sqlalchemy import insert, select

    from app.models.journal import Attendance, JournalCell, Mark, MarkCategory
    from app.models.study import ClassEnrollment
    from app.models.timetable import Lesson
    from tests import factories

    extra = [factories.student(n.SA1, None, last=f"Bench{i:03d}", first="B")
             for i in range(2 * PUPILS - 5)]
    db.session.flush()
    pupils = {s.c5a.id: s.pupils + extra[:PUPILS - 5], s.c5b.id: extra[PUPILS - 5:]}
    db.session.add_all([ClassEnrollment(organization_id=n.SA1.id, class_id=s.c5b.id,
                                        person_id=p.id, from_date=dt.date(2026, 9, 1))
                        for p in pupils[s.c5b.id]])
    db.session.add_all([ClassEnrollment(organization_id=n.SA1.id, class_id=s.c5a.id,
                                        person_id=p.id, from_date=dt.date(2026, 9, 1))
                        for p in extra[:PUPILS - 5]])
    db.session.commit()
    subjects = [s.math.id, s.lang.id, s.eng.id]
    teachers = {s.math.id: s.t1.id, s.lang.id: s.t2.id, s.eng.id: s.t3.id}
    rows = []
    day = dt.date(2026, 9, 7)
    while day <= dt.date(2027, 5, 25):
        if day.weekday() < 5:
            for cls in (s.c5a.id, s.c5b.id):
                for number in range(3, 9):
                    subj = subjects[(number + day.weekday()) % 3]
                    rows.append({"organization_id": n.SA1.id, "period_id": s.q1.id,
                                 "date": day, "number": number,
                                 "starts_at": dt.time(8 + number - 1, 0),
                                 "ends_at": dt.time(8 + number - 1, 45), "class_id": cls,
                                 "subject_id": subj, "teacher_id": teachers[subj]})
        day += dt.timedelta(days=1)
    for i in range(0, len(rows), CHUNK):
        db.session.execute(insert(Lesson), rows[i:i + CHUNK])
    db.session.commit()
    lessons = db.session.execute(select(Lesson.id, Lesson.class_id, Lesson.subject_id,
                                        Lesson.date)).all()
    cells = []
    for lid, cls, _subj, _day in lessons:
        for k, p in enumerate(pupils.get(cls, [])):
            att = Attendance.late if (lid + k) % 23 == 0 else None
            cells.append({"organization_id": n.SA1.id, "lesson_id": lid, "student_id": p.id,
                          "attendance": att, "late_minutes": 5 if att else None})
    for i in range(0, len(cells), CHUNK):
        db.session.execute(insert(JournalCell), cells[i:i + CHUNK])
    db.session.commit()
    ids = db.session.execute(select(JournalCell.id, JournalCell.lesson_id,
                                    JournalCell.student_id)).all()
    marks = [{"organization_id": n.SA1.id, "cell_id": cid, "lesson_id": lid,
              "student_id": sid, "value": 2 + (cid % 4),
              "category": MarkCategory.formative} for cid, lid, sid in ids]
    for i in range(0, len(marks), CHUNK):
        db.session.execute(insert(Mark), marks[i:i + CHUNK])
    db.session.commit()
    _history(db, n.SA1.id, s.q1.id, lessons, ids, teachers)
    return {"lessons": len(lessons), "cells": len(cells), "marks": len(marks),
            "changes": N_CHANGES}


def _history(db, org_id, period_id, lessons, ids, teachers) -> None:
    """N_CHANGES history rows spread over the cells (bulk inserts)."""
    from sqlalchemy import insert

    from app.models.journal import ChangeKind, JournalChange

    by_lesson = {lid: (cls, subj, d) for lid, cls, subj, d in lessons}
    history = []
    for i in range(N_CHANGES):
        cid, lid, sid = ids[i % len(ids)]
        cls, subj, d = by_lesson[lid]
        history.append({"organization_id": org_id,
                        "at": dt.datetime.combine(d, dt.time(14, 0)) + dt.timedelta(
                            seconds=i % 3600),
                        "author_id": teachers[subj], "kind": ChangeKind.mark,
                        "class_id": cls, "subject_id": subj, "period_id": period_id,
                        "lesson_id": lid, "student_id": sid, "old_value": "",
                        "new_value": str(2 + (cid % 4))})
        if len(history) == CHUNK:
            db.session.execute(insert(JournalChange), history)
            history = []
    if history:
        db.session.execute(insert(JournalChange), history)
    db.session.commit()


def _measure(app, engine, username, url) -> tuple[float, int, int]:
    from sqlalchemy import event

    from tests import factories

    client = app.test_client()
    client.post("/login/", data={"username": username, "password": factories.PASSWORD})
    resp = client.get(url)
    assert resp.status_code == 200, (username, url, resp.status_code)
    times = []
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    for _ in range(REPEAT):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append(time.perf_counter() - t0)
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), len(statements), len(resp.data)


def _run(url: str) -> dict:

    from app.extensions import db

    app = bench_app(url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        from app.security.roles import sync_roles
        from app.views import MENUS
        from tests import factories

        engine = db.engine
        sync_roles(app.appbuilder, MENUS)
        factories._serial = itertools.count(1)  # the same people on each database, as in tests
        n = factories.build_network()
        s = factories.journal_school(n)
        t0 = time.perf_counter()
        sizes = _build(db, n, s)
        build = time.perf_counter() - t0
        pupil, math, q1 = s.pupil.id, s.math.id, s.q1.id
        db.session.remove()
    cases = [
        ("diary week, parent", "parent_a", f"/diary/{pupil}?week=2026-10-12"),
        ("diary week JSON, pupil", "pupil_a", f"/api/v1/diary/{pupil}?week=2026-10-12"),
        ("summary sheet, a quarter, class teacher", "class_teacher_a",
         f"/diary/summary/{pupil}?from=2026-09-01&to=2026-10-30"),
        ("history page 1, director", "director_a", "/journalhistory/"),
        ("history page 1, subject teacher", "teacher_a", "/journalhistory/"),
        ("history page 40, maths, Q1, class teacher", "class_teacher_a",
         f"/journalhistory/?subject_id={math}&period_id={q1}&page=40"),
        ("history XLSX, one month, director", "director_a",
         "/journalhistory/?format=xlsx&date_from=2026-10-01&date_to=2026-10-31"),
    ]
    out = []
    # every request in its own app context, as in production (no outer context: a shared
    # ``g`` would carry one user's login into the next client's requests)
    for name, user, path in cases:
        seconds, queries, size = _measure(app, engine, user, path)
        out.append((name, seconds, queries, size))
    engine.dispose()
    return {"db": engine.dialect.name, "build": build, "sizes": sizes, "cases": out}


def _run_apart(url: str) -> dict:
    """:func:`_run` in a process of its own: two applications built one after the other in
    one process share Flask-AppBuilder's module-level state, and the second one's requests
    were refused (a 404 on the parent's diary on PostgreSQL after the SQLite run)."""
    import json
    import subprocess

    out = subprocess.run([sys.executable, "-m", "bench.journal_diary", "--one", url],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        import json

        print(json.dumps(_run(sys.argv[2])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = [_run_apart(url) for url in database_urls(tmp)]
    for r in results:
        z = r["sizes"]
        print(f"\n{r['db']}: {z['lessons']} lessons, {z['cells']} cells, {z['marks']} marks, "
              f"{z['changes']} history rows (built in {r['build']:.1f} s)")
        print("| request | median, ms | queries | response, KB |")
        print("|---|---|---|---|")
        for name, seconds, queries, size in r["cases"]:
            print(f"| {name} | {seconds * 1000:.0f} | {queries} | {size / 1024:.0f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
