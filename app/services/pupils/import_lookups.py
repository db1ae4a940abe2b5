"""Look-ups of the pupils-with-parents import (``app.services.pupils.importing``), each a
fixed number of queries whatever the number of rows: persons by identifier, the school's
current academic year and its classes, where persons are pupils; and the name helpers the
checks and the writing share."""
from __future__ import annotations

import datetime as dt
import re
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.models.people import Membership, Person, Role
from app.models.study import AcademicYear, SchoolClass

CHUNK = 1000
#: the parents (or legal representatives) one row may name
PARENTS = (1, 2)


def chunks(items: list):
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def known_persons(ids: list[str]) -> dict[str, Person]:
    out: dict[str, Person] = {}
    for chunk in chunks(sorted(set(ids))):
        for p in db.session.scalars(select(Person).options(
                lazyload(Person.memberships), lazyload(Person.user))
                .where(Person.national_id.in_(chunk))):
            out[cast(str, p.national_id)] = p  # found by IN (chunk): never None
    return out


def current_year(org_id: int, today: dt.date | None = None) -> AcademicYear | None:
    """The academic year containing today, else the latest one."""
    today = today or dt.date.today()
    years = db.session.scalars(select(AcademicYear).where(
        AcademicYear.organization_id == org_id).order_by(AcademicYear.starts_on.desc())).all()
    return next((y for y in years if y.starts_on <= today <= y.ends_on),
                years[0] if years else None)


_CLASS_RE = re.compile(r"^\s*(\d{1,2})\s*[-\s]?\s*(\S+?)\s*$")


def class_key(name: str | None) -> tuple[int, str] | None:
    m = _CLASS_RE.match(name or "")
    return (int(m.group(1)), m.group(2).casefold()) if m else None


def classes_of(year: AcademicYear | None) -> dict[tuple[int, str], SchoolClass]:
    """The year's classes by (parallel, letter) with the letter in any language."""
    out: dict[tuple[int, str], SchoolClass] = {}
    if year is None:
        return out
    for c in db.session.scalars(select(SchoolClass).where(SchoolClass.year_id == year.id)):
        for letter in (c.letter_ru, c.letter_kk, c.letter_en):
            if letter:
                out.setdefault((c.parallel, letter.casefold()), c)
    return out


def student_orgs(person_ids: list[int]) -> dict[int, set[int]]:
    """Organisations where each person is an active pupil."""
    out: dict[int, set[int]] = {}
    for chunk in chunks(person_ids):
        for pid, org_id in db.session.execute(select(
                Membership.person_id, Membership.organization_id).where(
                Membership.person_id.in_(chunk), Membership.role == Role.student,
                Membership.end_date.is_(None))):
            out.setdefault(pid, set()).add(org_id)
    return out


def same_names(p: Person, last: str | None, first: str | None) -> bool:
    return (p.last_name or "").casefold() == (last or "").casefold() and \
        (p.first_name or "").casefold() == (first or "").casefold()


def split_name(full: str | None) -> tuple[str, str, str | None] | None:
    parts = (full or "").split()
    if len(parts) < 2:
        return None
    return parts[0], parts[1], " ".join(parts[2:]) or None
