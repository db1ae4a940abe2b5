"""Foundation pages with 20,000 organisations and 100,000 persons.

Builds the data with bulk inserts (SQLite file, or PostgreSQL when BENCH_DATABASE_URL is
set), then times the list, add and edit pages and the look-up API through the test client
for a ministry user and a district user, and prints time, HTML size and query count.

    python -m bench.foundation_pages            # build (or reuse) and measure
    python -m bench.foundation_pages --rebuild  # drop and build again
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test_found_bench python -m bench

The schema is created from the models (a benchmark database, not a production one).
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KUNDELIK_ENV", "testing")

N_ORGS = 20_000
N_PERSONS = 100_000
N_REGIONS = 17
DISTRICTS_PER_REGION = 12
N_AUDIT = 100_000
N_LOGINS = 20_000
PASSWORD = "bench-pass-1"
CHUNK = 5_000
REPEAT = 3

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'bench.db'}"


def _config(url: str):
    from config import TestingConfig, normalise_db_url

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = normalise_db_url(url)
        FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
        WTF_CSRF_ENABLED = False

    return BenchConfig


def _chunks(rows, size=CHUNK):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _insert(conn, table, rows) -> None:
    for part in _chunks(rows):
        conn.execute(table.insert(), part)


def _reset_sequences(conn, tables) -> None:
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for t in tables:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                          f"COALESCE((SELECT MAX(id) FROM {t}), 1))"))


def build(db) -> dict:
    """Bulk-insert the network; returns ids the measurements need."""
    from flask_appbuilder import Model
    from flask_appbuilder.security.sqla.models import User, assoc_user_role
    from sqlalchemy import select, text
    from werkzeug.security import generate_password_hash

    from app.models.org import Organization, OrgKind, OrgType
    from app.models.people import AuditRecord, LoginEvent, Membership, Person, Role
    from app.security.roles import sync_roles
    from app.services.national_id import make_iin
    from app.views import MENUS

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        Model.metadata.drop_all(engine)
    Model.metadata.create_all(engine)
    from flask import current_app

    sync_roles(current_app.appbuilder, MENUS)
    db.session.commit()
    role_ids = dict(db.session.execute(select(Role_model().name, Role_model().id)).all())

    t0 = time.perf_counter()
    now = dt.datetime(2025, 9, 1, 8, 0)
    types = [
        dict(id=1, code="ministry", kind=OrgKind.ministry.value, name_ru="Министерство",
             name_kk="Министрлік", name_ky="Министрлик", name_en="Ministry"),
        dict(id=2, code="region_dept", kind=OrgKind.region.value, name_ru="УО области",
             name_kk="Облыстық білім басқармасы", name_ky="Облустук башкармалык",
             name_en="Regional department"),
        dict(id=3, code="district_dept", kind=OrgKind.district.value, name_ru="Отдел образования",
             name_kk="Аудандық білім бөлімі", name_ky="Райондук билим берүү бөлүмү",
             name_en="District department"),
        dict(id=4, code="general_school", kind=OrgKind.school.value, name_ru="Школа",
             name_kk="Мектеп", name_ky="Мектеп", name_en="School"),
        dict(id=5, code="gymnasium", kind=OrgKind.school.value, name_ru="Гимназия",
             name_kk="Гимназия", name_ky="Гимназия", name_en="Gymnasium"),
    ]
    orgs, regions, districts, schools = [], [], [], []
    stamp = dict(created_at=now, changed_at=now, country="KZ", timezone="Asia/Almaty",
                 feature_forums=True, feature_documents=True, feature_structure=True,
                 feature_pages=True, feature_feedback=True, feature_site=False,
                 subordination_excluded=False)

    def add(kind, type_id, name, parent, territory, lang="ru"):
        oid = len(orgs) + 1
        path = f"{parent['path'] if parent else '/'}{oid}/"
        row = dict(stamp, id=oid, kind=kind, org_type_id=type_id, short_name=name,
                   full_name=f"{name} (full name)", parent_id=parent["id"] if parent else None,
                   path=path, territory=territory, language=lang)
        orgs.append(row)
        return row

    ministry = add("ministry", 1, "Ministry of Education", None, "Astana")
    for r in range(N_REGIONS):
        region = add("region", 2, f"Region {r + 1:02d} education department", ministry,
                     f"Region {r + 1:02d}", "kk")
        regions.append(region)
        for d in range(DISTRICTS_PER_REGION):
            districts.append(add("district", 3, f"District {r + 1:02d}-{d + 1:02d} department",
                                 region, f"District {r + 1:02d}-{d + 1:02d}"))
    n_schools = N_ORGS - len(orgs)
    for s in range(n_schools):
        d = districts[s % len(districts)]
        schools.append(add("school", 4 + s % 2, f"School No. {s + 1:05d}", d,
                           f"{d['territory']} town {s % 5}", ("ru", "kk")[s % 2]))

    last = ["Ахметов", "Серикбаев", "Жумабеков", "Иванов", "Петров", "Касымов", "Нурланов",
            "Садыков", "Токтогулов", "Асанов", "Исаков", "Омаров", "Калиев", "Бекмуратов"]
    first = ["Ерлан", "Айбек", "Даурен", "Алексей", "Бакыт", "Азамат", "Тимур", "Арман"]
    middle = ["Серикович", "Маратович", None, "Иванович", None]
    persons, memberships, users, user_roles = [], [], [], []
    base_date = dt.date(1950, 1, 1)
    pw_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    school_roles = [Role.school_admin, Role.director, Role.teacher, Role.class_teacher,
                    Role.teacher]
    for i in range(N_PERSONS):
        pid = i + 1
        born = base_date + dt.timedelta(days=i % 20_000)
        serial = 100 + i // 20_000 * 37
        persons.append(dict(
            id=pid, last_name=last[i % len(last)] + (f"{i % 97}" if i % 3 else ""),
            first_name=first[i % len(first)], middle_name=middle[i % len(middle)],
            birth_date=born, sex="M", country="KZ", national_id=make_iin(born, "M", serial),
            must_change_password=False, created_at=now, changed_at=now, user_id=None,
            registered_at=None))
        school = schools[i % len(schools)]
        role = school_roles[(i // len(schools)) % len(school_roles)]
        ended = i % 10 == 9
        memberships.append(dict(
            id=pid, person_id=pid, organization_id=school["id"], role=role.name,
            arrival_date=dt.date(2020, 9, 1), end_date=dt.date(2025, 5, 31) if ended else None,
            is_admin=role == Role.school_admin, is_moderator=False, is_editor=False,
            position=None, created_at=now, changed_at=now))
        if i % 5 == 0 and not ended:
            uid = len(users) + 1
            users.append(dict(id=uid, first_name="U", last_name=f"U{uid}",
                              username=f"u{uid:06d}", password=pw_hash, active=True,
                              email=f"u{uid:06d}@bench.local", created_on=now, changed_on=now,
                              login_count=0, fail_login_count=0))
            persons[-1].update(user_id=uid, registered_at=now)
            user_roles.append(dict(id=uid, user_id=uid, role_id=role_ids[role.value]))
    # the two measured users: a ministry administrator and a district administrator
    district = districts[0]
    for login, org, role in (("bench_ministry", ministry, Role.ministry_admin),
                             ("bench_district", district, Role.district_admin)):
        pid = len(persons) + 1
        uid = len(users) + 1
        born = dt.date(1980, 1, 1) + dt.timedelta(days=pid % 900)
        persons.append(dict(id=pid, last_name="Benchmark", first_name=login, middle_name=None,
                            birth_date=born, sex="M", country="KZ",
                            national_id=make_iin(born, "M", 9000), user_id=uid,
                            registered_at=now, must_change_password=False, created_at=now,
                            changed_at=now))
        memberships.append(dict(id=len(memberships) + 1, person_id=pid, organization_id=org["id"],
                                role=role.name, arrival_date=dt.date(2020, 9, 1),
                                end_date=None, is_admin=True, is_moderator=False,
                                is_editor=False, position=None, created_at=now, changed_at=now))
        users.append(dict(id=uid, first_name=login, last_name="Bench", username=login,
                          password=pw_hash, active=True, email=f"{login}@bench.local",
                          created_on=now, changed_on=now, login_count=0, fail_login_count=0))
        user_roles.append(dict(id=len(user_roles) + 1, user_id=uid, role_id=role_ids[role.value]))
    audits = [dict(at=now - dt.timedelta(minutes=i), user_id=(i % len(users)) + 1,
                   organization_id=schools[i % len(schools)]["id"], action="update",
                   table_name="person", record_id=str(i % N_PERSONS + 1),
                   changes='{"phone": [null, "+7 700 000 00 00"]}') for i in range(N_AUDIT)]
    logins = [dict(username=users[i % len(users)]["username"],
                   user_id=users[i % len(users)]["id"], at=now - dt.timedelta(minutes=i),
                   ip="10.0.0.1", success=i % 7 != 0) for i in range(N_LOGINS)]
    for r in user_roles:
        r.pop("id")
    with engine.begin() as conn:
        _insert(conn, OrgType.__table__, types)
        _insert(conn, User.__table__, users)
        _insert(conn, assoc_user_role, user_roles)
        _insert(conn, Organization.__table__, orgs)
        _insert(conn, Person.__table__, persons)
        _insert(conn, Membership.__table__, memberships)
        _insert(conn, AuditRecord.__table__, audits)
        _insert(conn, LoginEvent.__table__, logins)
        _reset_sequences(conn, ["org_type", "ab_user", "organization", "person", "membership",
                                "audit_record", "login_event"])
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    print(f"built {len(orgs)} organisations, {len(persons)} persons, {len(users)} users, "
          f"{len(audits)} audit rows in {time.perf_counter() - t0:.1f} s", flush=True)
    return {}


def Role_model():  # noqa: N802 - FAB's role model class
    from flask_appbuilder.security.sqla.models import Role

    return Role


def _ids(db) -> dict:
    from sqlalchemy import func, select

    from app.models.org import Organization
    from app.models.people import Membership, Person

    district = db.session.scalar(select(Organization.id).where(Organization.kind == "district")
                                 .order_by(Organization.id))
    school = db.session.scalar(select(Organization.id).where(
        Organization.parent_id == district).order_by(Organization.id))
    person = db.session.scalar(select(Membership.person_id).where(
        Membership.organization_id == school, Membership.end_date.is_(None)))
    membership = db.session.scalar(select(Membership.id).where(Membership.person_id == person))
    n_orgs = db.session.scalar(select(func.count()).select_from(Organization))
    n_persons = db.session.scalar(select(func.count()).select_from(Person))
    own = db.session.execute(select(Membership.id, Membership.person_id).where(
        Membership.organization_id == district, Membership.role == "district_admin")).first()
    return dict(district=district, school=school, person=person, membership=membership,
                n_orgs=n_orgs, n_persons=n_persons,
                #: what each measured user may edit: a school's / their district's rows
                edit={"bench_ministry": dict(org=school, person=person, membership=membership),
                      "bench_district": dict(org=district, person=own[1], membership=own[0])})


PAGES = [
    ("organizations list", "/organizations/list/"),
    ("organizations search by name", "/organizations/list/?_flt_2_short_name=00042"),
    ("organization add", "/organizations/add"),
    ("organization edit", "/organizations/edit/{org}"),
    ("persons list", "/persons/list/"),
    ("persons search by name", "/persons/list/?_flt_0_last_name=ахметов"),
    ("persons filter by role", "/persons/list/?_flt_0_id=Director"),
    ("person edit", "/persons/edit/{person}"),
    ("person show", "/persons/show/{person}"),
    ("participants list", "/memberships/list/"),
    ("participant edit", "/memberships/edit/{membership}"),
    ("add participant", "/participants/add"),
    ("archive list", "/archive/list/"),
    ("audit list", "/audit/list/"),
    ("logins list", "/logins/list/"),
    ("subordinate list", "/orgsettings/{district}/subordinates"),
    ("lookup organizations", "/api/v1/lookup/organization/?q=school"),
    ("lookup persons", "/api/v1/lookup/person/?q=ахм"),
    ("REST persons page", "/api/v1/person/?q=(page_size:25)"),
]


def measure(app, db, ids: dict) -> list[dict]:
    from sqlalchemy import event

    results = []
    for user in ("bench_ministry", "bench_district"):
        client = app.test_client()
        resp = client.post("/login/", data={"username": user, "password": PASSWORD})
        assert resp.status_code == 302, resp.status_code
        for name, url in PAGES:
            url = url.format(**dict(ids, **ids["edit"][user]))
            statements = []

            def on(conn, cursor, statement, params, context, executemany, _s=statements):
                _s.append(statement)

            with app.app_context():
                engine = db.engine
            client.get(url)  # warm-up
            times = []
            for _ in range(REPEAT):
                statements.clear()
                event.listen(engine, "before_cursor_execute", on)
                t = time.perf_counter()
                resp = client.get(url)
                times.append(time.perf_counter() - t)
                event.remove(engine, "before_cursor_execute", on)
            body = resp.get_data()
            results.append(dict(user=user.replace("bench_", ""), page=name, url=url,
                                status=resp.status_code, ms=statistics.median(times) * 1000,
                                kb=len(body) / 1024, queries=len(statements),
                                options=body.count(b"<option")))
    return results


def report(results: list[dict], dialect: str, ids: dict) -> str:
    lines = [f"{dialect}: {ids['n_orgs']:,} organisations, {ids['n_persons']:,} persons "
             f"(median of {REPEAT} requests, warm)", "",
             "| user | page | status | ms | KB | queries | `<option>`s |",
             "|---|---|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['user']} | {r['page']} | {r['status']} | {r['ms']:.0f} | "
                     f"{r['kb']:.0f} | {r['queries']} | {r['options']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    from app import create_app
    from app.extensions import db

    app = create_app(_config(url))
    logging_quiet()
    with app.app_context():
        ids = None
        if "--rebuild" not in argv:
            try:
                ids = _ids(db)
                if ids["n_orgs"] < N_ORGS or ids["n_persons"] < N_PERSONS:
                    ids = None
            except Exception:  # no tables yet
                db.session.rollback()
                ids = None
        if ids is None:
            build(db)
            ids = _ids(db)
        dialect = db.engine.dialect.name
        db.session.remove()
    results = measure(app, db, ids)
    print(report(results, dialect, ids), flush=True)
    slow = [r for r in results if r["ms"] > 1000 or r["status"] != 200]
    for r in slow:
        print(f"SLOW OR FAILED: {r['user']} {r['page']} {r['status']} {r['ms']:.0f} ms")
    return 1 if slow else 0


def logging_quiet() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)


if __name__ == "__main__":
    raise SystemExit(main())
