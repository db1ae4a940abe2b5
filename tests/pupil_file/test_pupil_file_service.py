"""Rules of the pupil personal file: opening, choices, photo, characterisation, parents and
consent; the pages that change them."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.people import Membership, ParentLink, Person, Role
from app.models.pupil_file import PupilAchievement, PupilFile
from app.security.scopes import system_scope
from app.services.errors import DomainError
from app.services.national_id import make_iin
from app.services.pupils import files as service
from tests import factories
from tests.pupil_file.conftest import MEDICAL

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def test_file_only_for_a_pupil_of_the_school(pf):
    """Is a file refused for a teacher, and a second file for the same pupil?"""
    with pytest.raises(DomainError) as e:
        service.open_file(SYSTEM, pf.net.SA1, pf.net.teacher_a.person)
    assert e.value.code == "not_a_pupil"
    with pytest.raises(DomainError) as e:
        service.open_file(SYSTEM, pf.net.SA1, pf.pupil)
    assert e.value.code == "file_exists"


@pytest.mark.parametrize("field,value,code", [
    ("social_categories", "large_family,martian", "choice"),
    ("health_group", "9", "choice"),
    ("pe_group", "olympic", "choice"),
    ("education_form", "telepathy", "choice"),
    ("arrived_on", dt.date.today() + dt.timedelta(days=3), "future"),
])
def test_choices_and_dates_checked(pf, field, value, code):
    """Are unknown codes in choice fields and a future arrival date refused, naming the
    field?"""
    f = PupilFile(organization_id=pf.net.SA1.id, **{field: value})
    with pytest.raises(DomainError) as e:
        service.check_fields(f)
    assert e.value.field == field and e.value.code == code
    db.session.rollback()


def test_social_categories_normalised(pf):
    """Are repeated social categories stored once?"""
    f = PupilFile(organization_id=pf.net.SA1.id, social_categories="orphan, orphan,transport")
    service.check_fields(f)
    assert f.social_categories == "orphan,transport"


def test_photo_limits(pf):
    """Is a photo over 1 MB or not a JPEG/PNG refused, and a PNG stored with its type?"""
    for data, code in ((b"", "required"), (b"GIF89a" + b"0" * 50, "type"),
                       (JPEG + b"0" * service.PHOTO_MAX_BYTES, "too_large")):
        with pytest.raises(DomainError) as e:
            service.set_photo(SYSTEM, pf.file, data)
        assert e.value.code == code
    service.set_photo(SYSTEM, pf.file, PNG)
    assert pf.file.photo_mime == "image/png"


def test_characterisation_rules(pf):
    """Is an empty characterisation or a future date refused, and the author kept?"""
    with pytest.raises(DomainError):
        service.set_characterisation(SYSTEM, pf.file, "  ", "Author")
    with pytest.raises(DomainError):
        service.set_characterisation(SYSTEM, pf.file, "Diligent", "Author",
                                     dt.date.today() + dt.timedelta(days=1))
    service.set_characterisation(SYSTEM, pf.file, "Diligent", "Третьев")
    assert pf.file.characterisation_author == "Третьев"
    assert pf.file.characterisation_date == dt.date.today()


def test_parent_reused_by_identifier_and_never_duplicated(pf):
    """Is a parent already in the system found by the IIN/PIN (no new person), given the
    Parent role, and is linking them twice refused?"""
    known = pf.link.parent
    before = db.session.scalar(select(func.count()).select_from(Person))
    again = Person(last_name=known.last_name, first_name=known.first_name,
                   national_id=known.national_id, country="KZ")
    link = service.add_parent(SYSTEM, pf.file_b5, again, "mother", electronic_consent=True)
    assert link.parent_id == known.id
    assert db.session.scalar(select(func.count()).select_from(Person)) == before
    with pytest.raises(DomainError) as e:
        service.add_parent(SYSTEM, pf.file_b5, Person(last_name=known.last_name, first_name="X",
                                              national_id=known.national_id, country="KZ"),
                           "mother")
    assert e.value.code == "link_exists"
    with pytest.raises(DomainError) as e:
        service.add_parent(SYSTEM, pf.file_b5, Person(last_name="Другая", first_name="X",
                                              national_id=known.national_id, country="KZ"),
                           "mother")
    assert e.value.code == "national_id_duplicate"


def test_parent_kind_and_consent_rules(pf):
    """Is an unknown kinship refused, and a consent date in the future?"""
    p = Person(last_name="Отцов", first_name="Ерлан", country="KZ")
    with pytest.raises(DomainError) as e:
        service.add_parent(SYSTEM, pf.file, p, "neighbour")
    assert e.value.field == "kind"
    with pytest.raises(DomainError) as e:
        service.set_consent(SYSTEM, pf.link, True, dt.date.today() + dt.timedelta(days=1))
    assert e.value.field == "consent_date"
    service.set_consent(SYSTEM, pf.link, True, dt.date(2026, 10, 1), "in person")
    assert pf.link.electronic_consent and pf.link.consent_how == "in person"


def test_new_parent_gets_parent_role(pf):
    """Does a new parent become a person with the Parent role in the pupil's school?"""
    p = Person(last_name="Отцов", first_name="Ерлан", country="KZ",
               national_id=make_iin(dt.date(1980, 1, 1), "M", 55))
    link = service.add_parent(SYSTEM, pf.file, p, "father", workplace="Depot",
                              job_position="Driver")
    roles = db.session.scalars(select(Membership.role).where(
        Membership.person_id == link.parent_id, Membership.organization_id == pf.net.SA1.id)).all()
    assert roles == [Role.parent]


def test_admin_changes_sensitive_parts_through_the_page(pf, login):
    """Does the coordinator-administrator save the medical notes and social status?"""
    c = login("school_a_admin")
    resp = c.post(f"/pupilfileops/{pf.file.id}/sensitive", data={
        "social_categories": ["orphan", "transport"], "health_group": "3",
        "pe_group": "special", "allergies": "Pollen", "medical_note": "Glasses"})
    assert resp.status_code == 302
    db.session.expire_all()
    f = db.session.get(PupilFile, pf.file.id)
    assert f.social_categories == "orphan,transport" and f.medical_note == "Glasses"
    assert f.pe_group == "special"


def test_director_reads_but_does_not_change_sensitive_parts(pf, login):
    """Is the director (reads medical notes, not a writer) refused on the sensitive form?"""
    c = login("director_a")
    assert c.post(f"/pupilfileops/{pf.file.id}/sensitive",
                  data={"medical_note": "x"}).status_code in (302, 403)
    db.session.expire_all()
    assert db.session.get(PupilFile, pf.file.id).medical_note == MEDICAL


def test_class_teacher_writes_characterisation_teacher_cannot(pf, login):
    """May the class teacher write the characterisation of a pupil of the class, and is a
    plain teacher refused?"""
    c = login("class_teacher_a")
    resp = c.post(f"/pupilfileops/{pf.file.id}/characterisation",
                  data={"characterisation": "Responsible and kind"})
    assert resp.status_code == 302
    assert c.post(f"/pupilfileops/{pf.file_b5.id}/characterisation",
                  data={"characterisation": "x"}).status_code == 403
    t = login("teacher_a")
    assert t.post(f"/pupilfileops/{pf.file.id}/characterisation",
                  data={"characterisation": "x"}).status_code == 403
    db.session.expire_all()
    f = db.session.get(PupilFile, pf.file.id)
    assert f.characterisation == "Responsible and kind"
    assert f.characterisation_author  # the user who wrote it


def test_photo_upload_and_view(pf, login):
    """Is an uploaded PNG shown on the file page and refused for a text file?"""
    c = login("school_a_admin")
    resp = c.post(f"/pupilfileops/{pf.file.id}/photo",
                  data={"photo": (io.BytesIO(b"hello"), "x.png")},
                  content_type="multipart/form-data")
    assert resp.status_code == 200 and "only JPEG or PNG" in resp.get_data(as_text=True)
    resp = c.post(f"/pupilfileops/{pf.file.id}/photo",
                  data={"photo": (io.BytesIO(PNG), "me.png")},
                  content_type="multipart/form-data")
    assert resp.status_code == 302
    img = c.get(f"/pupilfileops/{pf.file.id}/photo/image")
    assert img.status_code == 200 and img.mimetype == "image/png" and img.data == PNG
    assert "kd-pf-photo" in c.get(f"/pupilfiles/show/{pf.file.id}").get_data(as_text=True)
    other = login("school_a2_admin")
    assert other.get(f"/pupilfileops/{pf.file.id}/photo/image").status_code == 404


def test_parent_and_achievement_forms(pf, login):
    """Does the administrator add a parent (figure 23) and an olympiad result, and record a
    consent, each in one step?"""
    c = login("school_a_admin")
    resp = c.post(f"/pupilfileops/{pf.file.id}/parent", data={
        "last_name": "Учеников", "first_name": "Серик", "kind": "father",
        "legal_representative": "y", "electronic_consent": "y", "consent_date": "2026-09-05",
        "consent_how": "written application"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resp = c.post(f"/pupilfileops/{pf.file.id}/achievement", data={
        "event": "Olympiad in mathematics", "subject": "Mathematics", "level": "district",
        "result": "2nd place", "held_on": "2026-10-10"})
    assert resp.status_code == 302
    resp = c.post(f"/pupilfileops/{pf.file.id}/achievement", data={"event": "", "level": "school"})
    assert resp.status_code == 200 and "Event is required" in resp.get_data(as_text=True)
    resp = c.post(f"/pupilfileops/consent/{pf.link.id}", data={
        "electronic_consent": "y", "consent_date": "2026-10-01", "consent_how": "in person"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ParentLink).where(
        ParentLink.student_id == pf.pupil.id)) == 2
    assert db.session.scalar(select(func.count()).select_from(PupilAchievement)) == 1
    assert db.session.get(ParentLink, pf.link.id).electronic_consent is True
    html = c.get(f"/pupilfiles/show/{pf.file.id}").get_data(as_text=True)
    assert "Olympiad in mathematics" in html and "Учеников Серик" in html


def test_list_page_query_count_does_not_grow(pf, login, count_queries):
    """Does the list of files take the same number of queries for 3 and for 23 files?"""
    c = login("teacher_a")
    with count_queries() as few:
        assert c.get("/pupilfiles/list/").status_code == 200
    for i in range(20):
        p = factories.student(pf.net.SA1, None, last=f"Массов{i}")
        db.session.add(PupilFile(organization_id=pf.net.SA1.id, person=p))
    db.session.commit()
    with count_queries() as many:
        html = c.get("/pupilfiles/list/").get_data(as_text=True)
    assert "Массов1" in html
    assert many.count <= few.count + 2


def test_open_and_edit_a_file_through_the_pages(pf, login):
    """Does the administrator open a file for a pupil without one and edit its general parts,
    and is a second file for the same pupil refused?"""
    p = factories.student(pf.net.SA1, None, last="Новенькая", first="Дана")
    db.session.commit()
    c = login("school_a_admin")
    resp = c.post("/pupilfiles/add", data={"person": str(p.id), "education_form": "inclusive",
                                           "previous_school": "Gymnasium 1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    f = db.session.scalars(select(PupilFile).where(PupilFile.person_id == p.id)).one()
    assert f.organization_id == pf.net.SA1.id and f.previous_school == "Gymnasium 1"
    resp = c.post("/pupilfiles/add", data={"person": str(p.id), "education_form": "full_time"})
    assert db.session.scalar(select(func.count()).select_from(PupilFile).where(
        PupilFile.person_id == p.id)) == 1
    resp = c.post(f"/pupilfiles/edit/{f.id}", data={"education_form": "home",
                                                     "nationality": "казах"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(PupilFile, f.id).nationality == "казах"
    t = login("teacher_a")
    assert t.post(f"/pupilfiles/edit/{f.id}", data={"nationality": "x"}).status_code in (
        302, 403, 404)
    db.session.expire_all()
    assert db.session.get(PupilFile, f.id).nationality == "казах"
