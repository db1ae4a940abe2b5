"""Benchmark: generate a quarter of dated lessons for a school of 20 classes.

Run: ``/work/main/.venv/bin/python -m bench.timetable_generation``. It builds, in a fresh
database, one school with 20 classes (parallels 1-10, two letters each), its teachers,
curriculum, a conflict-free weekly timetable for two shifts and a calendar-thematic plan,
then times ``generate_lessons`` for the first quarter and counts its SQL statements
(``before_cursor_execute`` events: one bulk insert batched by the driver counts once per
batch). It runs on SQLite (a temporary file) and, when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set, on that PostgreSQL database (its public schema is dropped and
recreated: never point it at a database you care about).
Figures go to docs/performance.md.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time

from bench.app_setup import bench_app, database_urls

os.environ.setdefault("KUNDELIK_ENV", "testing")


def _run(url: str) -> dict:
    from sqlalchemy import event, func, select

    from app.extensions import db

    app = bench_app(url)
    with app.app_context():
        from app.demo.study import LETTERS, build_school_study
        from app.models.org import OrgKind
        from app.models.people import Role
        from app.models.study import StudyPeriod
        from app.models.timetable import Lesson
        from app.security.scopes import system_scope
        from app.services import orgs, people
        from app.services.study.timetable import generate_lessons
        from tests.factories import person

        engine = db.engine
        m = orgs.create_organization(system_scope(), kind=OrgKind.ministry, short_name="M",
                                     full_name="M")
        school = orgs.create_organization(system_scope(), kind=OrgKind.school,
                                          short_name="Bench school", full_name="Bench school",
                                          parent=m)
        db.session.flush()
        for i in range(40):
            people.add_participant(system_scope(), school, Role.teacher if i >= 20 else Role.class_teacher,
                                   person=person(last=f"Teacher{i}"))
        info = build_school_study(school, random.Random(1), parallels=range(1, 11),
                                  letters=(LETTERS, ("Б", "Ә", "B")), generate=False)
        db.session.commit()
        q1 = db.session.scalars(select(StudyPeriod).order_by(StudyPeriod.starts_on)).first()
        statements: list[str] = []

        def count(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        created = generate_lessons(system_scope(), q1)
        db.session.commit()
        first = time.perf_counter() - t0
        first_q = len(statements)
        statements.clear()
        t0 = time.perf_counter()
        again = generate_lessons(system_scope(), q1)
        db.session.commit()
        second = time.perf_counter() - t0
        second_q = len(statements)
        event.remove(engine, "before_cursor_execute", count)
        total = db.session.scalar(select(func.count()).select_from(Lesson))
        topics = db.session.scalar(select(func.count()).where(Lesson.topic.is_not(None)))
        db.session.remove()
        engine.dispose()
        return {"db": engine.dialect.name, "classes": info["classes"],
                "entries": info["entries"], "lessons": created, "lessons_total": total,
                "with_topic": topics, "seconds": first, "queries": first_q,
                "again_created": again, "again_seconds": second, "again_queries": second_q}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = [_run(url) for url in database_urls(tmp)]
    print("| database | classes | weekly entries | lessons created | topics set | time, s | "
          "queries | re-run: created / time, s / queries |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['db']} | {r['classes']} | {r['entries']} | {r['lessons']} | "
              f"{r['with_topic']} | {r['seconds']:.2f} | {r['queries']} | "
              f"{r['again_created']} / {r['again_seconds']:.2f} / {r['again_queries']} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
