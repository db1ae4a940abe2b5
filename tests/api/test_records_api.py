"""Read-only REST resources of the records office: the pages' scopes, per role, from the
outside (JWT logins, real routes)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models.blanks import DocType
from app.models.staff import StaffEventKind
from app.security.scopes import system_scope
from app.services.records import blanks as blank_service
from app.services.records import staff as staff_service
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()


@pytest.fixture()
def rnet(net):
    n = factories.records_network(net)
    blank_service.receive_range(SYSTEM, n.SA1, DocType.attestat, "000100", "000102")
    blank_service.receive_range(SYSTEM, n.SB1, DocType.attestat, "000500", "000501")
    staff_service.register_event(SYSTEM, n.file_teacher_a, StaffEventKind.sick_leave,
                                 dt.date(2026, 9, 7), dt.date(2026, 9, 9), diagnosis="J06",
                                 scan=b"%PDF-1.4 x", scan_name="s.pdf",
                                 scan_mime="application/pdf")
    db.session.commit()
    return n


def _ids(app, headers, resource):
    resp = app.test_client().get(f"/api/v1/{resource}/?q=(page_size:100)", headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {row["organization_id"] for row in resp.json["result"]}, resp.json


def test_school_admin_reads_own_school_only(app, rnet, api_token):
    """Does the school administrator read their school's staff files and blanks, and
    nothing of another school?"""
    headers = api_token("school_a_admin")
    orgs, body = _ids(app, headers, "staff_file")
    assert orgs == {rnet.SA1.id} and body["count"] == 4
    orgs, body = _ids(app, headers, "blank")
    assert orgs == {rnet.SA1.id} and body["count"] == 3
    foreign = rnet.file_teacher_b.id
    assert app.test_client().get(f"/api/v1/staff_file/{foreign}",
                                 headers=headers).status_code == 404


def test_district_reads_its_schools(app, rnet, api_token):
    """Does the district head read the files and blanks of District A's schools only?"""
    headers = api_token("dist_a_head")
    assert _ids(app, headers, "staff_file")[0] == {rnet.SA1.id}
    assert _ids(app, headers, "blank")[0] == {rnet.SA1.id}
    assert _ids(app, api_token("dist_b_admin"), "blank")[0] == {rnet.SB1.id}


def test_teacher_reads_only_own_file_and_no_blanks(app, rnet, api_token):
    """Does a teacher see only their own staff file and events, and no blanks at all?"""
    headers = api_token("teacher_a")
    _, body = _ids(app, headers, "staff_file")
    assert [r["person_id"] for r in body["result"]] == [rnet.teacher_a.person.id]
    _, events = _ids(app, headers, "staff_event")
    assert events["count"] == 1
    assert app.test_client().get("/api/v1/blank/", headers=headers).status_code == 403


def test_no_writes_and_no_scan(app, rnet, api_token):
    """Are the resources read-only, and is the sick-leave scan never in the JSON?"""
    headers = api_token("school_a_admin")
    client = app.test_client()
    fid = rnet.file_teacher_a.id
    assert client.put(f"/api/v1/staff_file/{fid}", json={"position": "X"},
                      headers=headers).status_code == 405
    assert client.delete(f"/api/v1/staff_file/{fid}", headers=headers).status_code == 405
    assert client.post("/api/v1/blank/", json={"number": "1"},
                       headers=headers).status_code in (404, 405)
    _, events = _ids(app, headers, "staff_event")
    row = events["result"][0]
    assert row["scan_name"] == "s.pdf" and "scan" not in row
