"""Audit: logins with IP and success, changes with old -> new, pages within the scope."""
from __future__ import annotations

import json

from app.extensions import db
from app.models.people import AuditRecord, LoginEvent
from tests import factories


def test_login_success_and_failure_recorded_with_ip(net, app):
    """Is every login attempt recorded with its time, IP and success?"""
    client = app.test_client()
    env = {"REMOTE_ADDR": "10.1.2.3"}
    client.post("/login/", data={"username": "teacher_a", "password": "wrong"},
                environ_base=env)
    client.post("/login/", data={"username": "teacher_a", "password": factories.PASSWORD},
                environ_base=env)
    app.test_client().post("/login/", data={"username": "ghost", "password": "x"},
                           environ_base=env)
    db.session.expire_all()
    rows = db.session.query(LoginEvent).order_by(LoginEvent.id).all()
    assert [(r.username, r.success, r.ip) for r in rows] == [
        ("teacher_a", False, "10.1.2.3"), ("teacher_a", True, "10.1.2.3"),
        ("ghost", False, "10.1.2.3")]
    assert rows[0].user_id == net.teacher_a.person.user_id and rows[2].user_id is None
    assert all(r.at is not None for r in rows)


def test_api_login_recorded(net, app):
    """Is a JWT login through the REST API recorded too?"""
    app.test_client().post("/api/v1/security/login", json={
        "username": "ministry", "password": factories.PASSWORD, "provider": "db"})
    db.session.expire_all()
    assert db.session.query(LoginEvent).filter_by(username="ministry", success=True).count() == 1


def test_update_recorded_with_old_and_new(net, login):
    """Is an edit recorded with who, which record and the old and new values?"""
    client = login("school_a_admin")
    client.post(f"/organizations/edit/{net.SA1.id}", data={
        "kind": "school", "short_name": "School A1", "full_name": "School A1 full",
        "parent": str(net.DA.id), "country": "KZ", "language": "kk",
        "timezone": "Asia/Almaty", "phones": "+7 1"})
    db.session.expire_all()
    rec = db.session.query(AuditRecord).filter_by(
        table_name="organization", action="update", record_id=str(net.SA1.id)) \
        .filter(AuditRecord.user_id.is_not(None)).one()
    changes = json.loads(rec.changes)
    assert changes["phones"] == [None, "+7 1"]
    assert changes["full_name"] == ["School A1", "School A1 full"]
    assert rec.user.username == "school_a_admin" and rec.organization_id == net.SA1.id


def test_create_recorded(net, login):
    """Is a new participant recorded as created (person and membership)?"""
    from tests.helpers import person_form

    login("school_a_admin").post("/participants/add", data=person_form(net.SA1.id))
    db.session.expire_all()
    created = {r.table_name for r in db.session.query(AuditRecord).filter_by(action="create")
               .filter(AuditRecord.user_id.is_not(None))}
    assert {"person", "membership"} <= created
    m = db.session.query(AuditRecord).filter_by(action="create", table_name="membership") \
        .filter(AuditRecord.user_id.is_not(None)).one()
    assert m.organization_id == net.SA1.id
    assert json.loads(m.changes)["role"] == [None, "Teacher"]


def test_audit_pages_scoped(net, login):
    """Does school A's administrator see A's changes and logins but not B's?"""
    edit = {"kind": "school", "full_name": "x", "country": "KZ", "language": "ru",
            "timezone": "Asia/Almaty"}
    login("school_a_admin").post(f"/organizations/edit/{net.SA1.id}", data=dict(
        edit, short_name="School A1", parent=str(net.DA.id), phones="111-AAA"))
    login("school_b_admin").post(f"/organizations/edit/{net.SB1.id}", data=dict(
        edit, short_name="School B1", parent=str(net.DB.id), phones="222-BBB"))
    a = login("school_a_admin")
    page = a.get("/audit/list/?psize_AuditRecordView=100").get_data(as_text=True)
    assert "111-AAA" in page and "222-BBB" not in page
    rec_b = db.session.query(AuditRecord).filter(AuditRecord.changes.like("%222-BBB%")).one()
    assert a.get(f"/audit/show/{rec_b.id}").status_code == 404
    logins = a.get("/logins/list/?psize_LoginEventView=100").get_data(as_text=True)
    assert "school_a_admin" in logins and "school_b_admin" not in logins
    ministry = login("ministry").get("/audit/list/?psize_AuditRecordView=100")
    assert "222-BBB" in ministry.get_data(as_text=True)


def test_teacher_has_no_audit(net, login):
    """Can a teacher open the audit pages?"""
    client = login("teacher_a")
    for url in ("/audit/list/", "/logins/list/"):
        resp = client.get(url)
        assert resp.status_code in (302, 403) and "<table" not in resp.get_data(as_text=True)
