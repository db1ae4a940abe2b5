"""The REST API against its own OpenAPI document: a bounded schemathesis run (issue 16).

For each of three users - a school administrator (writes School A1), a plain teacher of
School A1 (writes only the journal) and a district head (reads District A, writes nothing) -
the test starts the app on 127.0.0.1 (ephemeral port), builds the test network with rows in
every resource, and runs the schemathesis CLI with every check, a fixed seed and a
wall-clock bound. It then asserts that

- schemathesis found nothing (no server error, no schema or status code violation), and
- nothing was written outside the user's organisation: per organisation other than the
  user's own, the rows of every table with ``organization_id`` are the same (count and
  content), and the tables of people and accounts keep their row counts.

Select it alone with ``-m fuzz``; it runs by default in ``make test`` (SQLite, then
PostgreSQL when TEST_DATABASE_URL is set). Tune with KUNDELIK_FUZZ_EXAMPLES /
KUNDELIK_FUZZ_TIMEOUT; the reports are kept under pytest's tmp_path.
"""
from __future__ import annotations

import json
import os

import pytest

from app.extensions import db as _db
from tests.api import fuzz_harness as fh

pytestmark = pytest.mark.fuzz

SEED = 16016
MAX_EXAMPLES = int(os.environ.get("KUNDELIK_FUZZ_EXAMPLES", "3"))
CONTINUE = os.environ.get("KUNDELIK_FUZZ_CONTINUE") == "1"
# wall-clock bound of one run (a run takes 50-70 s on a quiet machine; the bound leaves room
# for a busy CI machine)
TIMEOUT = float(os.environ.get("KUNDELIK_FUZZ_TIMEOUT", "240"))

# Tables of people, accounts and the organisation tree (no organization_id): no resource
# creates or deletes their rows, whoever the user (persons come through the pages and the
# imports; the organisation resource is checked per parent in org_fingerprints).
PEOPLE_TABLES = {"person", "parent_link", "ab_user", "ab_user_role", "ab_role",
                 "ab_group", "ab_user_group", "ab_api_key", "org_type",
                 "district_supervised_type", "organization"}
# ... and for users who write nothing at all, the other tables without organization_id too
# (journal_op is the teacher's own operation log of the journal, written by design).
READ_ONLY_EXTRA = {"journal_op", "outbox_message"}


@pytest.fixture(scope="module")
def live_server(app):
    with fh.LiveServer(app) as srv:
        yield srv


USERS = [
    # username, the organisation that is "own", writes at all?
    pytest.param("school_a_admin", "SA1", True, id="school_admin"),
    pytest.param("teacher_a", "SA1", False, id="teacher"),
    pytest.param("dist_a_head", "DA", False, id="district"),
]


def test_fingerprints_see_writes_outside_own_organisation(net):
    """Does the harness's comparison see a changed, added or deleted row of another school,
    and ignore the user's own school?"""
    from app.models.study import Subject

    data = fh.build_fuzz_data(net)
    engine, tables = _db.engine, fh.all_tables()
    own = fh.own_org_ids(engine, net.SA1.id)
    before = fh.org_fingerprints(engine, tables, own)
    _db.session.get(Subject, data.a.math.id).name = "Own school: allowed"
    _db.session.add(Subject(organization_id=net.SA1.id, name="Own new subject"))
    _db.session.commit()
    assert fh.diff(before, fh.org_fingerprints(engine, tables, own)) == []
    _db.session.get(Subject, data.b.math.id).name = "Changed in School B1"
    _db.session.commit()
    changed = fh.diff(before, fh.org_fingerprints(engine, tables, own))
    assert len(changed) == 1 and changed[0].startswith(f"('subject', {net.SB1.id})")
    _db.session.delete(_db.session.get(Subject, data.b.eng.id))
    _db.session.commit()
    changed = fh.diff(before, fh.org_fingerprints(engine, tables, own))
    assert len(changed) == 1 and changed[0].endswith(")") and " (3, " in changed[0] \
        and " -> (2, " in changed[0]


@pytest.mark.parametrize(("username", "own_attr", "writes"), USERS)
def test_api_fuzz(app, net, api_token, live_server, tmp_path, username, own_attr, writes):
    """Does the API answer every generated request as its document says, without a server
    error, and without writing outside the user's organisation?"""
    fh.build_fuzz_data(net)
    engine = _db.engine
    tables = fh.all_tables()
    own_id = getattr(net, own_attr).id
    own = fh.own_org_ids(engine, own_id)
    people = PEOPLE_TABLES | (set() if writes else READ_ONLY_EXTRA)

    schema_client = app.test_client()
    resp = schema_client.get("/api/v1/_openapi", headers=api_token("superadmin"))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(resp.json))
    token = api_token(username)["Authorization"].split(" ", 1)[1]

    before = fh.org_fingerprints(engine, tables, own)
    counts_before = fh.table_counts(engine, tables, people)
    # the server thread shares the (SQLite StaticPool) connection: nothing open here
    _db.session.commit()
    _db.session.remove()

    run = fh.run_schemathesis(schema, live_server.url, token, tmp_path, seed=SEED,
                              max_examples=MAX_EXAMPLES, timeout=TIMEOUT,
                              continue_on_failure=CONTINUE)

    own_after = own | fh.own_org_ids(engine, own_id)
    after = fh.org_fingerprints(engine, tables, own_after)
    counts_after = fh.table_counts(engine, tables, people)
    failures = fh.junit_failures(run.junit)
    print(f"\n[fuzz {username}] {run.seconds:.1f} s, exit {run.returncode}, "
          f"{len(failures)} failures; reports in {tmp_path}")

    problems = []
    if run.returncode is None:
        problems.append(f"schemathesis did not finish within {TIMEOUT:.0f} s")
    elif run.returncode != 0:
        problems.append(f"schemathesis exited {run.returncode}")
    changed = fh.diff(before, after)
    if changed:
        problems.append("rows of other organisations changed:\n  " + "\n  ".join(changed))
    people_changed = fh.diff(counts_before, counts_after)
    if people_changed:
        problems.append("row counts changed:\n  " + "\n  ".join(people_changed))
    if problems:
        tail = run.output[-3000:] if not failures else run.output[-1500:]
        pytest.fail("\n".join(problems) + "\n\n" + fh.summarise(failures)
                    + f"\n\n--- schemathesis output (tail; all of it in {tmp_path}) ---\n"
                    + tail, pytrace=False)
