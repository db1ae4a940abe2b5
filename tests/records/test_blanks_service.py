"""Strict-report blank rules and issued documents."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.blanks import Blank, BlankHistory, BlankStatus, DocStatus, DocType
from app.security.scopes import system_scope
from app.services.errors import ConflictError, ValidationError
from app.services.records import blanks as svc
from tests import factories

#: set-up acts for the system on purpose (the rules under test are scoped separately)
SYSTEM = system_scope()


@pytest.fixture()
def rnet(net):
    return factories.records_network(net)


def _count(model, **where):
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return db.session.scalar(q)


def test_number_unique_per_type(rnet):
    """Is a second blank of the same type and number refused, while another type is fine?"""
    svc.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, "025416")
    with pytest.raises(ConflictError) as err:
        svc.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, " 025416 ")
    assert err.value.code == "blank_duplicate"
    svc.receive_blank(SYSTEM, rnet.SA1, DocType.commendation_letter, "025416")


def test_number_range_keeps_zeros_and_prefix():
    """Does a range keep leading zeros and a letter prefix, and refuse bad ranges?"""
    assert svc.number_range("AB0098", "AB0101") == ["AB0098", "AB0099", "AB0100", "AB0101"]
    for first, last, code in (("10", "5", "range_order"), ("A1", "B3", "range_format"),
                              ("1", "5000", "range_size")):
        with pytest.raises(ValidationError) as err:
            svc.number_range(first, last)
        assert err.value.code == code


def test_range_is_all_or_nothing(rnet):
    """Does a range with one existing number write nothing?"""
    svc.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, "000105")
    db.session.commit()
    with pytest.raises(ConflictError) as err:
        svc.receive_range(SYSTEM, rnet.SA1, DocType.attestat, "000100", "000110")
    assert "000105" in str(err.value)
    db.session.rollback()
    assert _count(Blank) == 1
    blanks = svc.receive_range(SYSTEM, rnet.SA1, DocType.attestat, "000100", "000104")
    db.session.commit()
    assert [b.number for b in blanks] == ["000100", "000101", "000102", "000103", "000104"]
    assert _count(BlankHistory, action="received") == 6


def test_issue_to_employee_once(rnet):
    """Is a blank issued only to an employee, with a purpose, and never twice?"""
    b = svc.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, "1")
    with pytest.raises(ValidationError) as err:
        svc.issue_blank(SYSTEM, b, rnet.pupil_a.person, "fill in")
    assert err.value.code == "recipient_not_staff"
    with pytest.raises(ValidationError) as err:
        svc.issue_blank(SYSTEM, b, rnet.teacher_b.person, "fill in")  # employee of another school
    assert err.value.code == "recipient_not_staff"
    with pytest.raises(ValidationError) as err:
        svc.issue_blank(SYSTEM, b, rnet.teacher_a.person, " ")
    assert err.value.code == "required"
    svc.issue_blank(SYSTEM, b, rnet.teacher_a.person, "Graduates 11A")
    assert b.status == BlankStatus.issued
    with pytest.raises(ConflictError) as err:
        svc.issue_blank(SYSTEM, b, rnet.teacher_a.person, "again")
    assert err.value.code == "blank_not_new"


@pytest.mark.parametrize("status", [BlankStatus.spoiled, BlankStatus.lost])
def test_spoiled_or_lost_cannot_be_issued(rnet, status):
    """Can a spoiled or lost blank be issued, written off again or filled in?"""
    b = svc.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, "7")
    with pytest.raises(ValidationError):
        svc.write_off(SYSTEM, b, status, "")
    svc.write_off(SYSTEM, b, status, "error while filling in")
    with pytest.raises(ConflictError):
        svc.issue_blank(SYSTEM, b, rnet.teacher_a.person, "x")
    with pytest.raises(ConflictError):
        svc.write_off(SYSTEM, b, BlankStatus.lost, "again")
    with pytest.raises(ConflictError) as err:
        svc.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_a.person, "7",
                           dt.date(2025, 6, 20))
    assert err.value.code == "blank_not_in_stock"
    assert _count(BlankHistory, blank_id=b.id) == 2


def test_issued_document_consumes_blank(rnet):
    """Does a certificate take a blank of its type from the school's stock, once?"""
    svc.receive_blank(SYSTEM, rnet.SA1, DocType.attestat, "254125")
    svc.receive_blank(SYSTEM, rnet.SB1, DocType.attestat, "999")
    day = dt.date(2025, 6, 20)
    with pytest.raises(ValidationError) as err:
        svc.issue_document(SYSTEM, rnet.SA1, DocType.commendation_letter, rnet.pupil_a.person,
                           "254125", day)
    assert err.value.code == "blank_unknown"
    with pytest.raises(ValidationError) as err:
        svc.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_a.person, "999", day)
    assert err.value.code == "blank_unknown"  # another school's blank
    with pytest.raises(ValidationError) as err:
        svc.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_b.person, "254125", day)
    assert err.value.code == "pupil_not_student"
    with pytest.raises(ValidationError) as err:
        svc.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.teacher_a.person, "254125", day)
    assert err.value.code == "pupil_not_student"
    doc = svc.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_a.person, "254125", day)
    db.session.commit()
    assert doc.blank.status == BlankStatus.used and doc.status == DocStatus.valid
    with pytest.raises(ConflictError) as err:
        svc.issue_document(SYSTEM, rnet.SA1, DocType.attestat, rnet.pupil_a.person, "254125", day)
    assert err.value.code == "blank_not_in_stock"


def test_annul_keeps_blank_used(rnet):
    """Does annulling need a reason, keep the blank filled in and add to its history?"""
    svc.receive_blank(SYSTEM, rnet.SA1, DocType.commendation_letter, "5")
    doc = svc.issue_document(SYSTEM, rnet.SA1, DocType.commendation_letter,
                             rnet.pupil_a.person, "5", dt.date(2025, 5, 25))
    with pytest.raises(ValidationError):
        svc.annul_document(SYSTEM, doc, "")
    svc.annul_document(SYSTEM, doc, "Name misspelt")
    assert doc.status == DocStatus.annulled and doc.blank.status == BlankStatus.used
    with pytest.raises(ConflictError):
        svc.annul_document(SYSTEM, doc, "again")
    actions = db.session.scalars(select(BlankHistory.action).where(
        BlankHistory.blank_id == doc.blank_id).order_by(BlankHistory.id)).all()
    assert actions == ["received", "used", "annulled"]
