"""The pupil file's commands authorise by themselves: called with the scope of a user of
another school (or an empty scope, as outside a request), each refuses with ScopeError and
leaves nothing behind."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.imports import ImportRecord
from app.models.people import ParentLink, Person
from app.models.pupil_file import AchievementLevel, PupilAchievement, PupilFile
from app.security.scopes import UserScope, build_scope
from app.services.errors import ScopeError
from app.services.imports import run_import
from app.services.national_id import make_iin
from app.services.pupils import files as service
from app.services.pupils.importing import PUPIL_IMPORT
from tests import factories
from tests.pupil_file.conftest import MEDICAL

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _outsiders(pf) -> list[UserScope]:
    """School B1's administrator (a real user who writes another school) and the empty
    scope of code outside a request."""
    return [build_scope(pf.net.school_b_admin.person.user), UserScope()]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_file_changes_refused_outside_scope(pf):
    """Can a user of another school open a file in school A, change its general or
    sensitive parts, its characterisation or its photo?"""
    newcomer = factories.student(pf.net.SA1, None, last="Новикова", first="Дана")
    db.session.commit()
    files = _count(PupilFile)
    for scope in _outsiders(pf):
        with pytest.raises(ScopeError):
            service.open_file(scope, pf.net.SA1, newcomer)
        with pytest.raises(ScopeError):
            service.check_file(scope, db.session.get(PupilFile, pf.file.id))
        db.session.rollback()
        with pytest.raises(ScopeError):
            service.change_sensitive(scope, pf.file, {"medical_note": "changed"})
        with pytest.raises(ScopeError):
            service.set_characterisation(scope, pf.file, "Lazy", "Stranger")
        with pytest.raises(ScopeError):
            service.set_photo(scope, pf.file, PNG)
    f = db.session.get(PupilFile, pf.file.id)
    assert _count(PupilFile) == files
    assert f.medical_note == MEDICAL and f.characterisation is None and f.photo is None


def test_parents_and_achievements_refused_outside_scope(pf):
    """Can a user of another school add a parent or an achievement to a pupil of school A,
    or change a parent's consent?"""
    counts = (_count(Person), _count(ParentLink), _count(PupilAchievement))
    consent = pf.link.electronic_consent
    for scope in _outsiders(pf):
        with pytest.raises(ScopeError):
            service.add_parent(scope, pf.file, Person(
                last_name="Чужов", first_name="Отец", country="KZ",
                national_id=make_iin(dt.date(1980, 1, 1), "M", 91)), "father")
        with pytest.raises(ScopeError):
            service.set_consent(scope, pf.link, not consent, dt.date(2026, 10, 1))
        with pytest.raises(ScopeError):
            service.add_achievement(scope, pf.file, event="Olympiad",
                                    level=AchievementLevel.school)
    assert (_count(Person), _count(ParentLink), _count(PupilAchievement)) == counts
    assert db.session.get(ParentLink, pf.link.id).electronic_consent == consent


def test_pupils_import_refused_outside_scope(pf):
    """Can a user of another school import pupils into school A?"""
    data = factories.xlsx(["last_name", "first_name", "national_id", "class_name"],
                          ["Импортов", "Арман", make_iin(dt.date(2014, 5, 5), "M", 93), "5 A"])
    counts = (_count(Person), _count(ImportRecord))
    for scope in _outsiders(pf):
        with pytest.raises(ScopeError):
            run_import(scope, PUPIL_IMPORT, pf.net.SA1, data, "pupils.xlsx")
    assert (_count(Person), _count(ImportRecord)) == counts
