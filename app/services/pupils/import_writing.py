"""The writing of the pupils-with-parents import (``app.services.pupils.importing``): create
or complete each pupil of an already checked file with a fixed number of statements per chunk
of rows, whatever the number of rows.

New rows are collected as plain dicts and inserted per table with one multi-row INSERT per
chunk (SQLAlchemy "insertmanyvalues", RETURNING the ids): the ORM unit of work would emit one
INSERT per object here, because rows of one table differ in which columns are empty. A new
person is referred to as ``("new", index)`` until inserted."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import cast

from flask_babel import gettext
from sqlalchemy import insert, select, update

from app.extensions import db
from app.models.mixins import current_user_id, utcnow
from app.models.org import Organization
from app.models.people import PARENT_KIND_LABELS, AuditRecord, Membership, ParentLink, Person, Role
from app.models.pupil_file import EducationForm, PupilFile
from app.models.study import AcademicYear, ClassEnrollment
from app.security.audit import plain
from app.services.imports import Counts, ParsedRow
from app.services.people import sync_user_roles
from app.services.pupils.import_lookups import (
    PARENTS,
    chunks,
    class_key,
    classes_of,
    current_year,
    known_persons,
    split_name,
)

#: a person: their id, or ``("new", index)`` of a person not inserted yet
Ref = int | tuple[str, int]

_PERSON_KEYS = ("last_name", "first_name", "middle_name", "birth_date", "sex", "country",
                "national_id", "phone", "address")


@dataclass
class _State:
    org: Organization
    year: AcademicYear | None  # None: the school has no academic year (check() refused every row)
    classes: dict
    known: dict[str, Person]
    roles: dict = field(default_factory=dict)  # person ref -> roles held in the school
    open_class: dict[int, int] = field(default_factory=dict)  # pupil id -> class id
    last_end: dict[int, dt.date] = field(default_factory=dict)
    files: set[int] = field(default_factory=set)  # pupil ids with a personal file
    links: dict[int, list[tuple]] = field(default_factory=dict)  # pupil id -> (ref, name)
    #: (pupil id, parent id) -> link id, for links whose consent is not recorded yet
    unrecorded: dict[tuple, int] = field(default_factory=dict)
    consents: list[dict] = field(default_factory=list)  # consents recorded on such links
    new_by_nid: dict[str, tuple[str, int]] = field(default_factory=dict)
    persons: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    enrollments: list[dict] = field(default_factory=list)
    pupil_files: list[dict] = field(default_factory=list)
    parent_links: list[dict] = field(default_factory=list)
    touched_users: list[Person] = field(default_factory=list)


def _norm(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def _prefetch(org: Organization, rows: list[ParsedRow]) -> _State:
    year = current_year(org.id)
    ids = [r.values["national_id"] for r in rows] + [
        r.values[f"parent{i}_national_id"] for r in rows for i in PARENTS
        if r.values.get(f"parent{i}_national_id")]
    st = _State(org, year, classes_of(year), known_persons(ids))
    person_ids = sorted(p.id for p in st.known.values())
    for chunk in chunks(person_ids):
        for pid, role in db.session.execute(select(Membership.person_id, Membership.role).where(
                Membership.organization_id == org.id, Membership.person_id.in_(chunk),
                Membership.end_date.is_(None))):
            st.roles.setdefault(pid, set()).add(role)
        for e in db.session.execute(select(ClassEnrollment.person_id, ClassEnrollment.class_id,
                                           ClassEnrollment.to_date).where(
                ClassEnrollment.organization_id == org.id, ClassEnrollment.person_id.in_(chunk))):
            if e.to_date is None:
                st.open_class[e.person_id] = e.class_id
            elif e.to_date > st.last_end.get(e.person_id, dt.date.min):
                st.last_end[e.person_id] = e.to_date
        st.files.update(db.session.scalars(select(PupilFile.person_id).where(
            PupilFile.person_id.in_(chunk))))
        for link_id, student_id, parent_id, consent_on, last, first, middle in \
                db.session.execute(
                    select(ParentLink.id, ParentLink.student_id, ParentLink.parent_id,
                           ParentLink.consent_date, Person.last_name, Person.first_name,
                           Person.middle_name)
                    .join(Person, Person.id == ParentLink.parent_id)
                    .where(ParentLink.student_id.in_(chunk))):
            st.links.setdefault(student_id, []).append(
                (parent_id, _norm(" ".join(x for x in (last, first, middle) if x))))
            if consent_on is None:
                st.unrecorded[(student_id, parent_id)] = link_id
    return st


def _new_person(st: _State, **values) -> tuple[str, int]:
    st.persons.append({k: values.get(k) for k in _PERSON_KEYS})
    ref = ("new", len(st.persons) - 1)
    if values.get("national_id"):
        st.new_by_nid[values["national_id"]] = ref
    return ref


def _membership(st: _State, ref, role: Role, person: Person | None) -> bool:
    """Give the role in the school if the person does not hold it; True if given."""
    have = st.roles.setdefault(ref, set())
    if role in have:
        return False
    have.add(role)
    st.memberships.append({"person_id": ref, "organization_id": st.org.id, "role": role,
                           "arrival_date": dt.date.today(), "is_admin": False,
                           "is_moderator": False, "is_editor": False})
    if person is not None and person.user_id is not None:
        st.touched_users.append(person)
    return True


def _parent_ref(st: _State, v: dict, i: int) -> tuple[Ref, Person | None]:
    nid = v.get(f"parent{i}_national_id")
    known = st.known.get(nid) if nid else None
    if known is not None:
        return known.id, known
    if nid and nid in st.new_by_nid:
        return st.new_by_nid[nid], None
    # check() refused a parent's name without a last and a first name
    last, first, middle = cast(tuple[str, str, str | None], split_name(v[f"parent{i}_name"]))
    return _new_person(st, last_name=last, first_name=first, middle_name=middle,
                       country=st.org.country or "KZ", national_id=nid,
                       phone=v.get(f"parent{i}_phone")), None


def _consent(v: dict, i: int) -> dict:
    """The consent columns of a new parent link (not recorded when the cell is empty)."""
    answer = v.get(f"parent{i}_consent")
    if answer is None:
        return {"electronic_consent": False, "consent_date": None, "consent_how": None}
    return {"electronic_consent": answer == "yes", "consent_date": dt.date.today(),
            "consent_how": gettext("recorded from the import file")}


def _write_parents(st: _State, v: dict, pupil_ref, links: list[tuple]) -> bool:
    changed = False
    for i in PARENTS:
        name = v.get(f"parent{i}_name")
        if not name:
            continue
        nid = v.get(f"parent{i}_national_id")
        known = st.known.get(nid) if nid else None
        linked = next((ref for ref, n in links
                       if (known is not None and ref == known.id)
                       or (nid is None and n == _norm(name))), None)
        if linked is not None:  # already a parent of the pupil: only a missing consent
            link_id = st.unrecorded.pop((pupil_ref, linked), None)
            if link_id is not None and v.get(f"parent{i}_consent") is not None:
                st.consents.append({"id": link_id, **_consent(v, i)})
                changed = True
            continue
        ref, person = _parent_ref(st, v, i)
        _membership(st, ref, Role.parent, person)
        kind = v[f"parent{i}_kind"]
        st.parent_links.append({"parent_id": ref, "student_id": pupil_ref, "kind": kind,
                                "relation": str(PARENT_KIND_LABELS[kind]),
                                "legal_representative": True, **_consent(v, i)})
        links = links + [(ref, _norm(name))]
        changed = True
    return changed


def _write_row(st: _State, v: dict, counts: Counts) -> None:
    pupil = st.known.get(v["national_id"])
    ref: Ref
    if pupil is None:
        ref = _new_person(st, **{k: v.get(k) for k in _PERSON_KEYS if k != "country"},
                          country=st.org.country or "KZ")
    else:
        ref = pupil.id
    changed = _membership(st, ref, Role.student, pupil)
    cls = st.classes[class_key(v["class_name"])]
    if pupil is None or pupil.id not in st.open_class:
        # the row's class was found among the year's classes (check()): the year exists
        start = cast(AcademicYear, st.year).starts_on
        if pupil is not None and pupil.id in st.last_end:
            start = max(start, st.last_end[pupil.id] + dt.timedelta(days=1))
        st.enrollments.append({"organization_id": st.org.id, "class_id": cls.id,
                               "person_id": ref, "from_date": start})
        changed = True
    if pupil is None or pupil.id not in st.files:
        st.pupil_files.append({"organization_id": st.org.id, "person_id": ref,
                               "actual_address": v.get("address"),
                               "education_form": EducationForm.full_time,
                               "rehabilitation_class": False, "limited_health": False})
        changed = True
    links = st.links.get(pupil.id, []) if pupil is not None else []
    changed = _write_parents(st, v, ref, links) or changed
    if pupil is None:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.skipped += 1


def _insert(model, rows: list[dict], audit: list[dict], org_id: int) -> list[int]:
    """Insert ``rows`` (same keys) in multi-row statements; return the new ids in order and
    add one change-log entry per row (app.security.audit, written in one statement)."""
    if not rows:
        return []
    table = model.__table__
    cols = list(rows[0])
    # RETURNING the inserted values with the id maps ids back to rows (identical rows are
    # interchangeable); ``sort_by_parameter_order`` would make SQLite insert row by row
    pool: dict[tuple, list[int]] = {}
    for r in db.session.execute(table.insert().returning(
            table.c.id, *[table.c[k] for k in cols]), rows):
        pool.setdefault(tuple(r[1:]), []).append(r[0])
    ids = [pool[tuple(row[k] for k in cols)].pop() for row in rows]
    now, user_id = utcnow(), current_user_id()
    for new_id, row in zip(ids, rows, strict=True):
        audit.append({"at": now, "user_id": user_id, "organization_id": org_id,
                      "action": "create", "table_name": table.name, "record_id": str(new_id),
                      "changes": json.dumps({k: [None, plain(val)] for k, val in row.items()},
                                            ensure_ascii=False, default=str)})
    return ids


def write(org: Organization, rows: list[ParsedRow]) -> Counts:
    """Create or complete each pupil (see the module's docstring) with a fixed number of
    statements per chunk of rows, whatever the number of rows."""
    counts = Counts()
    db.session.flush()
    st = _prefetch(org, rows)
    for r in rows:
        _write_row(st, r.values, counts)
    audit: list[dict] = []
    person_ids = _insert(Person, st.persons, audit, org.id)

    def resolve(ref):
        return person_ids[ref[1]] if isinstance(ref, tuple) else ref

    for rows_, key_cols in ((st.memberships, ("person_id",)),
                            (st.enrollments, ("person_id",)),
                            (st.pupil_files, ("person_id",)),
                            (st.parent_links, ("parent_id", "student_id"))):
        for row in rows_:
            for k in key_cols:
                row[k] = resolve(row[k])
    _insert(Membership, st.memberships, audit, org.id)
    _insert(ClassEnrollment, st.enrollments, audit, org.id)
    _insert(PupilFile, st.pupil_files, audit, org.id)
    _insert(ParentLink, st.parent_links, audit, org.id)
    if st.consents:  # by primary key, one statement; each change in the change log
        db.session.execute(update(ParentLink), st.consents)
        now, user_id = utcnow(), current_user_id()
        audit.extend({"at": now, "user_id": user_id, "organization_id": org.id,
                      "action": "update", "table_name": ParentLink.__tablename__,
                      "record_id": str(c["id"]),
                      "changes": json.dumps({k: [None, plain(c[k])] for k in c if k != "id"},
                                            ensure_ascii=False, default=str)}
                     for c in st.consents)
    if audit:
        db.session.execute(insert(AuditRecord.__table__), audit)
    for person in st.touched_users:  # a registered user's FAB roles follow the new role
        db.session.expire(person, ["memberships"])
        sync_user_roles(person)
    return counts
