"""Benchmark: the class journal grid of a school with a full year of marks.

Run: ``/work/main/.venv/bin/python -m bench.journal_grid``. It builds, in a fresh database,
one school with 20 classes x 30 pupils x 12 subjects, two lessons a week per subject for the
whole year (about 16,000 lessons) and a mark for half of the pupils on every lesson (about
250,000 marks, as many cells, and some absences), then measures for one grid (30 pupils x
the first quarter's lessons of one subject):

- ``build_grid`` (everything the page embeds) - time and queries;
- the bare SQL that fetches the same cells and marks (one joined SELECT of the same columns
  through the same engine, rows fetched) - time, in the same run, interleaved with the grid
  (30 rounds; best and median of each);
- saving one mark (``save_cell``) - queries and time.

SQLite (a temporary file) always; PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is
set (its public schema is dropped and recreated: never point it at a database you care
about). Figures go to docs/performance.md ("Journal grid").
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time

from bench.app_setup import bench_app, database_urls

os.environ.setdefault("KUNDELIK_ENV", "testing")

CLASSES, PUPILS, SUBJECTS = 20, 30, 12
YEAR_START, YEAR_END = dt.date(2026, 9, 1), dt.date(2027, 5, 25)
QUARTERS = [(dt.date(2026, 9, 1), dt.date(2026, 10, 30)), (dt.date(2026, 11, 9),
            dt.date(2026, 12, 29)), (dt.date(2027, 1, 11), dt.date(2027, 3, 20)),
            (dt.date(2027, 3, 30), dt.date(2027, 5, 25))]


def _times(fns, runs: int = 30) -> list[tuple[float, float]]:
    """(best, median) seconds of each function, run interleaved so that the machine's load
    affects them alike."""
    samples = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            samples[i].append(time.perf_counter() - t0)
    return [(min(x), statistics.median(x)) for x in samples]


def _build(db, school_id: int) -> dict:  # noqa: C901 - one linear data builder
    from sqlalchemy import insert, select

    from app.models.journal import Attendance, JournalCell, Mark, MarkCategory
    from app.models.people import Membership, Person, Role
    from app.models.study import AcademicYear, ClassEnrollment, SchoolClass, StudyPeriod
    from app.models.study import Subject as Subj
    from app.models.timetable import Lesson

    ex = db.session.execute
    year = AcademicYear(organization_id=school_id, name="2026-2027", starts_on=YEAR_START,
                        ends_on=YEAR_END)
    db.session.add(year)
    db.session.flush()
    periods = []
    for i, (a, b) in enumerate(QUARTERS):
        p = StudyPeriod(organization_id=school_id, year_id=year.id, name=f"Q{i + 1}",
                        starts_on=a, ends_on=b)
        db.session.add(p)
        periods.append(p)
    subjects = [Subj(organization_id=school_id, name=f"Subject {i}") for i in range(SUBJECTS)]
    db.session.add_all(subjects)
    db.session.flush()
    ex(insert(Person), [{"last_name": f"Teacher{i:02d}", "first_name": "T"}
                        for i in range(SUBJECTS)])
    teachers = list(db.session.scalars(select(Person.id).where(
        Person.last_name.like("Teacher%")).order_by(Person.id)))
    ex(insert(Membership), [{"organization_id": school_id, "person_id": t,
                             "role": Role.teacher, "start_date": YEAR_START}
                            for t in teachers])
    classes = []
    for i in range(CLASSES):
        c = SchoolClass(organization_id=school_id, year_id=year.id, parallel=1 + i // 2,
                        letter_ru="АБ"[i % 2], letter_kk="АӘ"[i % 2], letter_en="AB"[i % 2])
        db.session.add(c)
        classes.append(c)
    db.session.flush()
    ex(insert(Person), [{"last_name": f"Pupil{c:02d}-{i:02d}", "first_name": "P"}
                        for c in range(CLASSES) for i in range(PUPILS)])
    pupil_ids = list(db.session.scalars(select(Person.id).where(
        Person.last_name.like("Pupil%")).order_by(Person.id)))
    by_class = {c.id: pupil_ids[k * PUPILS:(k + 1) * PUPILS] for k, c in enumerate(classes)}
    ex(insert(ClassEnrollment), [{"organization_id": school_id, "class_id": cid,
                                  "person_id": pid, "from_date": YEAR_START}
                                 for cid, pids in by_class.items() for pid in pids])
    lessons = []
    for k, c in enumerate(classes):
        for s, subj in enumerate(subjects):
            days = ((s + k) % 5, (s + k + 2) % 5)
            for q, (a, b) in zip(periods, QUARTERS, strict=True):
                d = a
                while d <= b:
                    if d.weekday() in days:
                        lessons.append({
                            "organization_id": school_id, "period_id": q.id, "date": d,
                            "number": 1 + s % 7, "starts_at": dt.time(8 + s % 7),
                            "ends_at": dt.time(8 + s % 7, 45), "class_id": c.id,
                            "subject_id": subj.id, "teacher_id": teachers[s]})
                    d += dt.timedelta(days=1)
    ex(insert(Lesson), lessons)
    db.session.commit()
    rows = db.session.execute(select(Lesson.id, Lesson.class_id)).all()
    cells, n = [], 0
    for lid, cid in rows:
        for j, pid in enumerate(by_class[cid]):
            if (lid + j) % 2 == 0:
                cells.append({"organization_id": school_id, "lesson_id": lid,
                              "student_id": pid, "version": 1,
                              "attendance": Attendance.absent if j % 29 == 0 else None})
    for i in range(0, len(cells), 20000):
        ex(insert(JournalCell), cells[i:i + 20000])
    db.session.commit()
    marks = []
    for cid_, lid, pid in db.session.execute(select(JournalCell.id, JournalCell.lesson_id,
                                                    JournalCell.student_id)):
        n += 1
        marks.append({"organization_id": school_id, "cell_id": cid_, "lesson_id": lid,
                      "student_id": pid, "position": 0, "value": 2 + n % 4,
                      "category": MarkCategory.formative})
    for i in range(0, len(marks), 20000):
        ex(insert(Mark), marks[i:i + 20000])
    db.session.commit()
    return {"classes": classes, "subjects": subjects, "periods": periods,
            "teachers": teachers, "pupils": by_class, "lessons": len(lessons),
            "cells": len(cells), "marks": len(marks)}


def _run(url: str) -> dict:  # noqa: C901 - one linear measurement script
    from sqlalchemy import event, select, text
    from sqlalchemy.orm import lazyload

    from app.extensions import db

    app = bench_app(url)
    with app.app_context():
        from app.models.org import OrgKind
        from app.models.timetable import Lesson
        from app.security.scopes import UserScope, system_scope
        from app.services import orgs
        from app.services.journal import write
        from app.services.journal.grid import build_grid

        engine = db.engine
        m = orgs.create_organization(system_scope(), kind=OrgKind.ministry, short_name="M",
                                     full_name="M")
        school = orgs.create_organization(system_scope(), kind=OrgKind.school,
                                          short_name="Bench school", full_name="Bench school",
                                          parent=m)
        db.session.commit()
        t0 = time.perf_counter()
        info = _build(db, school.id)
        build_s = time.perf_counter() - t0
        if os.environ.get("BENCH_PROFILE"):
            _profile(db, engine, info, school.id)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        cls, subj, q1 = info["classes"][3], info["subjects"][5], info["periods"][0]
        teacher = info["teachers"][5]
        scope = UserScope(user_id=None, read_ids={school.id}, person_ids={teacher})
        today = dt.date(2026, 10, 1)
        statements: list[str] = []

        def count(*args):
            statements.append(args[2])

        ids = (cls.id, subj.id, q1.id)

        def grid():
            return build_grid(*ids, None, scope, today)

        data = grid()
        bare_sql = text(
            "SELECT c.lesson_id, c.student_id, c.attendance, c.late_minutes, c.remark, "
            "c.version, m.value, m.max_score, m.category, m.work_type FROM journal_cell c "
            "JOIN lesson l ON l.id = c.lesson_id LEFT JOIN mark m ON m.cell_id = c.id "
            "WHERE l.organization_id = :o AND l.class_id = :c AND l.subject_id = :s "
            "AND l.period_id = :p ORDER BY c.lesson_id, c.student_id, m.position")
        # with the school in the condition SQLite always takes the best index; without it,
        # its choice between the lesson indexes followed the order the tables' indexes were
        # created in (Python's string hashing), and the bare query took 0.6 or 1.7 ms
        bare_params = dict(zip("ocsp", (school.id, *ids), strict=True))

        def bare():
            with engine.connect() as conn:
                return conn.execute(bare_sql, bare_params).all()

        bare_rows = bare()
        event.listen(engine, "before_cursor_execute", count)
        grid()
        grid_q = len(statements)
        grid_statements = list(statements)
        event.remove(engine, "before_cursor_execute", count)
        (grid_s, grid_med), (bare_s, bare_med) = _times([grid, bare])
        # one mark
        lesson = db.session.scalars(select(Lesson).where(
            Lesson.class_id == ids[0], Lesson.subject_id == ids[1],
            Lesson.period_id == ids[2], Lesson.date <= today)
            .order_by(Lesson.date.desc())).first()
        pupil = info["pupils"][cls.id][0]
        key = f"{lesson.id}:{pupil}"
        base = data["cells"].get(key, {}).get("version", 0)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        write.save_cell(scope, lesson, pupil, marks=[5], base_version=base, op_id="bench-1",
                        actor_person_id=teacher, user_id=None, today=today)
        cold_s = time.perf_counter() - t0
        statements.clear()
        timing = []

        def before(conn, cursor, statement, params, context, many):
            conn.info["t"] = time.perf_counter()

        def after(conn, cursor, statement, params, context, many):
            timing.append((time.perf_counter() - conn.info["t"], " ".join(statement.split())))

        if os.environ.get("BENCH_VERBOSE"):
            event.listen(engine, "before_cursor_execute", before)
            event.listen(engine, "after_cursor_execute", after)
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        t0 = time.perf_counter()   # the same save again, warm (statements compiled)
        for i in range(3):   # as the endpoint does: load the lesson, save
            lesson = db.session.scalars(select(Lesson).where(Lesson.id == lesson.id)
                                        .options(lazyload("*"))).one()
            write.save_cell(scope, lesson, pupil, marks=[4, 5 - i % 2],
                            base_version=base + 1 + i, op_id=f"bench-{i + 2}",
                            actor_person_id=teacher, user_id=None, today=today)
            if i < 2:
                statements.clear()
                timing.clear()
                t0 = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            prof.disable()
            import pstats
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        save_s = time.perf_counter() - t0
        save_q = len(statements)
        if os.environ.get("BENCH_VERBOSE"):
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            for t, st in timing:
                print(f"save {t * 1000:8.2f} ms {st[:140]}")
        event.remove(engine, "before_cursor_execute", count)
        result = {
            "db": engine.dialect.name, "lessons_total": info["lessons"],
            "cells_total": info["cells"], "marks_total": info["marks"], "build_s": build_s,
            "grid_pupils": len(data["pupils"]), "grid_lessons": len(data["lessons"]),
            "grid_cells": len(data["cells"]), "bare_rows": len(bare_rows),
            "grid_ms": grid_s * 1000, "grid_q": grid_q, "bare_ms": bare_s * 1000,
            "ratio": grid_s / bare_s, "grid_med": grid_med * 1000, "bare_med": bare_med * 1000,
            "ratio_med": grid_med / bare_med, "grid_statements": grid_statements, "save_ms": save_s * 1000, "save_q": save_q,
            "save_cold_ms": cold_s * 1000}
        db.session.remove()
        engine.dispose()
        return result


def _profile(db, engine, info, school_id):  # pragma: no cover - a developer's aid
    from sqlalchemy import event

    from app.security.scopes import UserScope
    from app.services.journal.grid import build_grid

    times = []

    def before(conn, cursor, statement, params, context, many):
        conn.info["t"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, many):
        times.append((time.perf_counter() - conn.info["t"], statement[:150]))

    scope = UserScope(user_id=None, read_ids={school_id}, person_ids={info["teachers"][5]})
    cls, subj, q1 = info["classes"][3], info["subjects"][5], info["periods"][0]
    build_grid(cls.id, subj.id, q1.id, None, scope, dt.date(2026, 10, 1))
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    t0 = time.perf_counter()
    build_grid(cls.id, subj.id, q1.id, None, scope, dt.date(2026, 10, 1))
    total = time.perf_counter() - t0
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    for t, st in times:
        print(f"{t * 1000:8.2f} ms  {' '.join(st.split())}")
    print(f"total {total * 1000:.1f} ms, SQL {sum(t for t, _ in times) * 1000:.1f} ms")
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        build_grid(cls.id, subj.id, q1.id, None, scope, dt.date(2026, 10, 1))
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        results = [_run(url) for url in database_urls(tmp)]
    print("| database | lessons / cells / marks in the year | grid (pupils x lessons, cells) "
          "| grid: best / median ms, queries | bare SQL: best / median ms (rows) "
          "| ratio best / median | save one mark: ms (first) / queries |")
    print("|---|---|---|---|---|---|---|")
    status = 0
    for r in results:
        print(f"| {r['db']} | {r['lessons_total']:,} / {r['cells_total']:,} / "
              f"{r['marks_total']:,} | {r['grid_pupils']} x {r['grid_lessons']}, "
              f"{r['grid_cells']} | {r['grid_ms']:.1f} / {r['grid_med']:.1f}, {r['grid_q']} | "
              f"{r['bare_ms']:.1f} / {r['bare_med']:.1f} ({r['bare_rows']}) | "
              f"{r['ratio']:.2f} / {r['ratio_med']:.2f} | "
              f"{r['save_ms']:.1f} ({r['save_cold_ms']:.0f}) / {r['save_q']} |")
        if os.environ.get("BENCH_VERBOSE"):
            print("\n".join(" ".join(x.split())[:160] for x in r["grid_statements"]))
        if r["ratio"] > 3:
            status = 1
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
