"""Who reads which part of a pupil's personal file, through the real pages and REST."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.people import AuditRecord
from tests.pupil_file.conftest import MEDICAL, SOCIAL


def _page(client, url):
    resp = client.get(url)
    return resp.status_code, resp.get_data(as_text=True)


def test_teacher_reads_general_parts_but_not_medical_notes(pf, login):
    """Can a teacher of the school open a pupil's file, and are the medical and social notes
    absent from the page, the print, the sensitive form and REST?"""
    c = login("teacher_a")
    status, html = _page(c, f"/pupilfiles/show/{pf.file.id}")
    assert status == 200
    assert "Ученикова" in html and "School 7" in html
    assert MEDICAL not in html and SOCIAL not in html and "Large family" not in html
    status, html = _page(c, f"/pupilfileops/{pf.file.id}/print")
    assert status == 200 and MEDICAL not in html
    assert c.get(f"/pupilfileops/{pf.file.id}/sensitive").status_code in (302, 403, 404)
    assert c.get(f"/api/v1/pupil_file_sensitive/{pf.file.id}").status_code == 404
    listing = c.get("/api/v1/pupil_file_sensitive/").get_json()
    assert listing["count"] == 0
    general = c.get(f"/api/v1/pupil_file/{pf.file.id}").get_json()["result"]
    assert "medical_note" not in general and "social_note" not in general


def test_class_teacher_reads_medical_notes_of_own_class_only(pf, login):
    """Does the class teacher of 5 A see the medical and social notes of a 5 A pupil, but not
    of a 5 B pupil?"""
    c = login("class_teacher_a")
    status, html = _page(c, f"/pupilfiles/show/{pf.file.id}")
    assert status == 200 and MEDICAL in html and SOCIAL in html and "Large family" in html
    status, html = _page(c, f"/pupilfiles/show/{pf.file_b5.id}")
    assert status == 200 and MEDICAL not in html
    body = c.get(f"/api/v1/pupil_file_sensitive/{pf.file.id}").get_json()["result"]
    assert body["medical_note"] == MEDICAL
    assert c.get(f"/api/v1/pupil_file_sensitive/{pf.file_b5.id}").status_code == 404
    status, html = _page(c, f"/pupilfileops/{pf.file.id}/print")
    assert MEDICAL in html and "Printed" in html and "class_teacher_a" in html


@pytest.mark.parametrize("user", ["school_a_admin", "director_a", "superadmin"])
def test_school_administration_reads_medical_notes(pf, login, user):
    """Do the coordinator-administrator, the director and the superuser see the medical
    notes of every pupil of the school?"""
    c = login(user)
    for f in (pf.file, pf.file_b5):
        status, html = _page(c, f"/pupilfiles/show/{f.id}")
        assert status == 200 and MEDICAL in html


def test_district_reads_but_neither_medical_nor_changes(pf, login, api_token):
    """Does the district read the general file of its schools, without the medical notes,
    and is every change refused?"""
    c = login("dist_a_head")
    status, html = _page(c, f"/pupilfiles/show/{pf.file.id}")
    assert status == 200 and "School 7" in html and MEDICAL not in html
    assert c.get(f"/pupilfiles/edit/{pf.file.id}").status_code in (302, 403, 404)
    assert c.post(f"/pupilfileops/{pf.file.id}/sensitive",
                  data={"medical_note": "x"}).status_code in (302, 403, 404)
    assert c.post(f"/pupilfileops/{pf.file.id}/characterisation",
                  data={"characterisation": "x"}).status_code in (302, 403, 404)
    db.session.expire_all()
    assert db.session.get(type(pf.file), pf.file.id).characterisation is None
    headers = api_token("dist_a_head")
    assert c.get(f"/api/v1/pupil_file/{pf.file.id}", headers=headers).status_code == 200
    assert c.get(f"/api/v1/pupil_file_sensitive/{pf.file.id}",
                 headers=headers).status_code in (401, 403)
    # another district's school is not read at all
    assert c.get(f"/pupilfiles/show/{pf.file_other.id}").status_code == 404


def test_parent_sees_only_their_child(pf, login):
    """Does a parent see their own child's file (general parts) and nothing else?"""
    c = login("parent_a")
    status, html = _page(c, f"/pupilfiles/show/{pf.file.id}")
    assert status == 200 and "Ученикова" in html and MEDICAL not in html
    assert c.get(f"/pupilfiles/show/{pf.file_b5.id}").status_code == 404
    status, html = _page(c, "/pupilfiles/list/")
    assert "Бэшкина" not in html and "Чужой" not in html
    assert c.get("/api/v1/pupil_file/").get_json()["count"] == 1
    assert c.get(f"/pupilfiles/edit/{pf.file.id}").status_code in (302, 403, 404)


def test_pupil_sees_own_file_only(pf, login):
    """Does the pupil read their own file, without medical notes, and not a classmate's?"""
    c = login("student_a")
    status, html = _page(c, f"/pupilfiles/show/{pf.file.id}")
    assert status == 200 and MEDICAL not in html
    assert c.get(f"/pupilfiles/show/{pf.file_b5.id}").status_code == 404


def test_other_school_cannot_open_the_file(pf, login):
    """Is a file of School A1 a 404 for the administrator of School A2, in pages and REST?"""
    c = login("school_a2_admin")
    assert c.get(f"/pupilfiles/show/{pf.file.id}").status_code == 404
    assert c.get(f"/pupilfileops/{pf.file.id}/print").status_code == 404
    assert c.get(f"/api/v1/pupil_file/{pf.file.id}").status_code == 404
    assert c.get(f"/api/v1/pupil_file_sensitive/{pf.file.id}").status_code == 404


def test_ministry_reads_general_parts_without_medical(pf, login):
    """Does the ministry administrator read the file without its medical and social notes
    (they are for the school administration and the class teacher only)?"""
    c = login("ministry")
    status, html = _page(c, f"/pupilfiles/show/{pf.file.id}")
    assert status == 200 and MEDICAL not in html and SOCIAL not in html


def test_list_and_search_show_no_sensitive_column(pf, login):
    """Do the list page and its search form for a teacher carry no medical or social data?"""
    c = login("teacher_a")
    status, html = _page(c, "/pupilfiles/list/")
    assert status == 200 and "Ученикова" in html
    for text in (MEDICAL, SOCIAL, "Medical note", "Health group", "Social note"):
        assert text not in html
    status, html = _page(c, "/pupilfiles/list/?_flt_0_medical_note=Peanut")
    assert "Ученикова" in html or status != 200  # unknown filter is ignored, not applied


def test_audit_log_does_not_keep_medical_values(pf):
    """Does the change log record that the medical notes changed without their text?"""
    pf.file.medical_note = "Asthma"
    db.session.commit()
    rows = db.session.scalars(select(AuditRecord).where(
        AuditRecord.table_name == "pupil_file")).all()
    assert rows
    blob = " ".join(r.changes for r in rows)
    assert "Asthma" not in blob and MEDICAL not in blob and SOCIAL not in blob
    assert any("medical_note" in json.loads(r.changes) for r in rows)
