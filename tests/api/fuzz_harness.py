"""The pieces of the bounded schemathesis run (tests/api/test_api_fuzz.py, issue 16).

- ``LiveServer``: the session's app served by Werkzeug on 127.0.0.1 with an ephemeral port,
  one request at a time (``threaded=False``), in a daemon thread;
- ``build_fuzz_data``: the test network plus rows in every resource, in two schools;
- ``org_fingerprints`` / ``table_counts``: what the "no write outside the user's
  organisation" assertion compares before and after a run;
- ``run_schemathesis``: the CLI as a subprocess with a wall-clock bound, and
  ``junit_failures``: its JUnit report grouped as (operation, check) -> example.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler

from app.extensions import db
from tests import factories

HERE = Path(__file__).resolve().parent
CONFIG_FILE = HERE / "schemathesis.toml"

# Logs written *because* a request happened (reads included): who read which pupil file,
# logins. They record the user's activity, not a change of the organisation's data.
LOG_TABLES = {"audit_record", "login_event"}


# -- the server --------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """No access-log line per request (thousands per run); the app's own log stays."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class LiveServer:
    """``with LiveServer(app) as srv: srv.url`` - loopback only, ephemeral port."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=False,
                                  request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True,
                                       name="fuzz-live-server")

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


# -- the data ----------------------------------------------------------------------------

def build_fuzz_data(n: SimpleNamespace) -> SimpleNamespace:
    """Rows for every resource, in School A1 (journal, records, plans, orders, marks,
    finals) and in School B1 (the study process), so that a request that reaches another
    school's row has rows to reach. Commits."""
    from app.models.contingent import Order, OrderKind
    from app.models.journal import FinalGrade, FinalKind
    from app.models.timetable import LessonPlan, PlanTopic
    from tests.journal.grades_helpers import put_marks

    s = factories.journal_school(n)
    b = factories.study_school(n, n.SB1, prefix="B")
    factories.records_network(n)
    put_marks(s.lessons[:3], s.pupil, [(4, "intermediate"), (5, "intermediate"),
                                       (3, "control")])
    s.plan = LessonPlan(organization_id=n.SA1.id, name="Mathematics 5", period_id=s.q1.id,
                        subject_id=s.math.id, parallel=5, teacher_id=s.t1.id)
    b.plan = LessonPlan(organization_id=n.SB1.id, name="B plan", period_id=b.q1.id,
                        subject_id=b.math.id, parallel=5)
    db.session.add_all([s.plan, b.plan])
    db.session.flush()
    db.session.add_all([
        PlanTopic(organization_id=n.SA1.id, plan_id=s.plan.id, position=1, title="Numbers"),
        PlanTopic(organization_id=n.SA1.id, plan_id=s.plan.id, position=2, title="Fractions"),
        PlanTopic(organization_id=n.SB1.id, plan_id=b.plan.id, position=1, title="B topic"),
    ])
    # rows as the services would store them (one order without a kind: it is optional)
    db.session.add_all([
        Order(organization_id=n.SA1.id, number="1", date=dt.date(2026, 9, 1), year=2026,
              summary="Enrolment of pupils"),
        Order(organization_id=n.SB1.id, number="1", date=dt.date(2026, 9, 1), year=2026,
              summary="Enrolment of pupils", kind=OrderKind.enrolment),
    ])
    db.session.add(FinalGrade(organization_id=n.SA1.id, year_id=s.year.id,
                              kind=FinalKind.period, period_id=s.q1.id, class_id=s.c5a.id,
                              subject_id=s.math.id, student_id=s.pupil.id, value="4"))
    db.session.commit()
    return SimpleNamespace(a=s, b=b)


# -- what must not change ----------------------------------------------------------------

def _digest(rows) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(tuple(row)).encode())
    return h.hexdigest()[:16]


def org_fingerprints(engine, tables, exclude_org_ids) -> dict:
    """``{(table, organization_id): (row count, digest of the rows)}`` for every table with
    an ``organization_id`` column (and ``organization`` by ``parent_id``), leaving out the
    organisations in ``exclude_org_ids`` (the user's own). Rows with a NULL organisation
    count as another organisation's. The digest catches a change of content (a PUT), the
    count an insert or a delete."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            if table.name in LOG_TABLES:
                continue
            col = table.c.get("organization_id")
            if col is None and table.name == "organization":
                col = table.c.parent_id
            if col is None:
                continue
            pk = list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(col, *pk)).all()
            groups: dict = {}
            for row in rows:
                key = row._mapping[col.name]
                if key in exclude_org_ids:
                    continue
                groups.setdefault(key, []).append(row)
            for key, grp in groups.items():
                out[(table.name, key)] = (len(grp), _digest(grp))
    return out


def table_counts(engine, tables, names) -> dict:
    """Total row counts of the tables in ``names``."""
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables if t.name in names}


def own_org_ids(engine, root_id: int) -> set[int]:
    """The organisation ``root_id`` and every organisation below it (created during the run
    too): the user's own organisation for the comparison."""
    from app.models.org import Organization

    with engine.connect() as conn:
        path = conn.execute(select(Organization.path)
                            .where(Organization.id == root_id)).scalar_one()
        return set(conn.execute(select(Organization.id)
                                .where(Organization.path.like(path + "%"))).scalars())


def diff(before: dict, after: dict) -> list[str]:
    lines = []
    for key in sorted(set(before) | set(after), key=repr):
        if before.get(key) != after.get(key):
            lines.append(f"{key}: {before.get(key)} -> {after.get(key)}")
    return lines


def all_tables():
    from flask_appbuilder import Model

    return list(Model.metadata.sorted_tables)


# -- schemathesis ------------------------------------------------------------------------

@dataclass
class StRun:
    returncode: int | None  # None: killed at the wall-clock bound
    seconds: float
    output: str
    junit: Path


def st_command() -> list[str]:
    """The ``st`` entry point next to this interpreter, else ``python -m schemathesis.cli``."""
    st = Path(sys.executable).with_name("st")
    if st.exists():
        return [str(st)]
    found = shutil.which("st")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def run_schemathesis(schema: Path, base_url: str, token: str, workdir: Path, *, seed: int,
                     max_examples: int, timeout: float, request_timeout: float = 10.0,
                     extra: tuple[str, ...] = (),
                     continue_on_failure: bool = False) -> StRun:
    """One bounded run as one user. ``workdir`` holds the reports (the subprocess runs
    there, so nothing is written into the repository)."""
    assert base_url.startswith("http://127.0.0.1:"), base_url  # loopback only
    junit = workdir / "junit.xml"
    cmd = st_command() + [
        "--config-file", str(CONFIG_FILE), "--no-color",
        "run", str(schema), "--url", base_url,
        "--checks", "all",
        # deterministic generation also means no example database (.hypothesis): the same
        # requests each run, nothing carried over from an earlier run
        "--seed", str(seed), "--generation-deterministic",
        "--max-examples", str(max_examples),
        "--workers", "1",
        "--request-timeout", str(request_timeout),
        "--header", f"Authorization: Bearer {token}",
        "--report", "junit", "--report-junit-path", str(junit),
        "--output-truncate", "true",
        *extra,
    ]
    if continue_on_failure:
        cmd.append("--continue-on-failure")
    env = dict(os.environ, NO_COLOR="1", PYTHONUNBUFFERED="1", COLUMNS="120")
    log = workdir / "schemathesis.log"
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # past the bound: interrupt (schemathesis then writes its reports of what it
            # ran), and kill if it does not stop soon
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            rc = None
    return StRun(rc, time.monotonic() - started, log.read_text(errors="replace"), junit)


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


@dataclass
class Failure:
    operation: str
    check: str  # "ST101 Server error"
    status: str  # "500"
    curl: str


def junit_failures(path: Path) -> list[Failure]:
    """The failures of a schemathesis JUnit report, one per (operation, check)."""
    if not path.exists():
        return []
    out = []
    for case in ET.parse(path).getroot().iter("testcase"):
        for node in case.findall("failure") + case.findall("error"):
            text = node.text or node.get("message") or ""
            check = re.search(r"^- (ST\d+ [^\n]+)", text, re.M)
            status = re.search(r"^\[(\d{3})\]", text, re.M)
            curl = re.search(r"^\s*(curl [^\n]+)", text, re.M)
            out.append(Failure(case.get("name", "?"),
                               check.group(1) if check else (node.get("message") or "?"),
                               status.group(1) if status else "",
                               curl.group(1) if curl else text.strip()[:300]))
    return out


def summarise(failures: list[Failure], width: int = 240) -> str:
    """One block per check: the operations it failed on, each with one example."""
    groups: dict[str, list[Failure]] = {}
    for f in failures:
        groups.setdefault(f.check, []).append(f)
    lines = []
    for check, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"{check}: {len(items)} operation(s)")
        for f in items:
            lines.append(f"  {f.operation} [{f.status}]  {f.curl[:width]}")
    return "\n".join(lines)
