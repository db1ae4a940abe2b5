"""The staff import, declared on ``app.services.imports``.

One row = one employee: a person (matched by IIN/PIN) with a staff role in the school and a
staff file. Re-importing a file creates no duplicates: a person already known by their
identifier is reused (the names in the file must match), an existing membership is kept and
an existing staff file is updated with the file's employment data. The import is one
command (``app.services.imports.run_import``) under the records office's write rule
(``app.services.records.staff.authorise``)."""
from __future__ import annotations

from typing import cast

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.org import Organization
from app.models.people import ROLE_LABELS, SEX_LABELS, Membership, Person, Role, Sex
from app.models.staff import StaffFile
from app.security.scopes import system_scope
from app.services import people as people_service
from app.services.errors import DomainError
from app.services.imports import (
    Counts,
    ImportColumn,
    ImportSpec,
    ParsedRow,
    RowError,
    choice,
    date,
    identifier,
)
from app.services.national_id import validate_national_id
from app.services.records.staff import authorise

#: roles a staff import may give (administrative rights are granted by hand)
IMPORT_ROLES = (Role.teacher, Role.class_teacher, Role.deputy_director, Role.director)
CHUNK = 500
FILE_FIELDS = ("position", "unit", "contract_number", "contract_date", "hired_on")

COLUMNS = [
    ImportColumn("last_name", _l("Last name"), True, example="Ахметова"),
    ImportColumn("first_name", _l("First name"), True, example="Айгерим"),
    ImportColumn("middle_name", _l("Middle name"), example="Сериковна"),
    ImportColumn("national_id", _l("IIN / PIN"), True, identifier, example="850314400123"),
    ImportColumn("birth_date", _l("Birth date"), parse=date, example="14.03.1985"),
    ImportColumn("sex", _l("Sex"), parse=choice({Sex.M: SEX_LABELS[Sex.M],
                                                 Sex.F: SEX_LABELS[Sex.F]})),
    ImportColumn("role", _l("Role"), parse=choice({r: ROLE_LABELS[r] for r in IMPORT_ROLES}),
                 example=str(Role.teacher.value)),
    ImportColumn("position", _l("Position"), example="Учитель математики"),
    ImportColumn("unit", _l("Unit"), example="Методическое объединение"),
    ImportColumn("contract_number", _l("Contract number"), example="15-к"),
    ImportColumn("contract_date", _l("Contract date"), parse=date, example="01.09.2020"),
    ImportColumn("hired_on", _l("Hired on"), parse=date, example="01.09.2020"),
    ImportColumn("phone", _l("Phone")),
    ImportColumn("email", _l("E-mail")),
]


def _same_person(p: Person, values: dict) -> bool:
    return (p.last_name or "").casefold() == (values["last_name"] or "").casefold() and \
        (p.first_name or "").casefold() == (values["first_name"] or "").casefold()


def _known_persons(ids: list[str]) -> dict[str, Person]:
    """Persons by identifier, a chunk of identifiers per query."""
    out: dict[str, Person] = {}
    for i in range(0, len(ids), CHUNK):
        for p in db.session.scalars(select(Person).where(Person.national_id.in_(ids[i:i + CHUNK]))):
            out[cast(str, p.national_id)] = p  # found by IN (ids): never None
    return out


def check(org: Organization, rows: list[ParsedRow], spec: ImportSpec) -> list[RowError]:
    """Each identifier valid for the school's country, once in the file, and, when already
    known, belonging to the person of the same names."""
    errors: list[RowError] = []
    col = spec.header("national_id")
    seen: dict[str, int] = {}
    valid: list[ParsedRow] = []
    for r in rows:
        nid = r.values.get("national_id")
        if not nid:
            continue
        try:
            info = validate_national_id(nid, org.country or "KZ")
        except DomainError as err:
            errors.append(RowError(r.number, col, str(err)))
            continue
        r.values["national_id"] = info.value
        r.values.setdefault("birth_date", None)
        if r.values.get("birth_date") is None:
            r.values["birth_date"] = info.birth_date
        if info.value in seen:
            errors.append(RowError(r.number, col, gettext(
                "duplicate in the file (row %(row)s)", row=seen[info.value])))
            continue
        seen[info.value] = r.number
        valid.append(r)
    known = _known_persons(list(seen))
    for r in valid:
        p = known.get(r.values["national_id"])
        if p is not None and not _same_person(p, r.values):
            errors.append(RowError(r.number, col, gettext(
                "duplicate in the system: this identifier belongs to another person")))
    return errors


def write(org: Organization, rows: list[ParsedRow]) -> Counts:
    """Create or reuse each person, give the role if missing, open or update the file.
    The queries per row are bounded: persons, memberships and files are loaded per chunk."""
    counts = Counts()
    ids = [r.values["national_id"] for r in rows]
    known = _known_persons(ids)
    person_ids = [p.id for p in known.values()]
    roles: dict[int, set] = {}
    files: dict[int, StaffFile] = {}
    for i in range(0, len(person_ids), CHUNK):
        chunk = person_ids[i:i + CHUNK]
        for m in db.session.scalars(select(Membership).where(
                Membership.organization_id == org.id, Membership.person_id.in_(chunk),
                Membership.end_date.is_(None))):
            roles.setdefault(m.person_id, set()).add(m.role)
        for f in db.session.scalars(select(StaffFile).where(
                StaffFile.organization_id == org.id, StaffFile.person_id.in_(chunk))):
            files[f.person_id] = f
    for r in rows:
        _write_row(org, r.values, known, roles, files, counts)
    db.session.flush()
    return counts


def _write_row(org: Organization, v: dict, known: dict, roles: dict, files: dict,
               counts: Counts) -> None:
    role = v.get("role") or Role.teacher
    person = known.get(v["national_id"])
    changed = False
    if person is None:
        person = Person(last_name=v["last_name"], first_name=v["first_name"],
                        middle_name=v.get("middle_name"), birth_date=v.get("birth_date"),
                        sex=v.get("sex"), country=org.country or "KZ",
                        national_id=v["national_id"], phone=v.get("phone"),
                        email=v.get("email"))
        people_service.add_participant(system_scope(), org, role, person=person,
                                       arrival_date=v.get("hired_on"),
                                       position=v.get("position"))
        counts.created += 1
    elif role not in roles.get(person.id, set()):
        people_service.add_participant(system_scope(), org, role, person=person,
                                       arrival_date=v.get("hired_on"),
                                       position=v.get("position"))
        changed = True
    f = files.get(person.id) if person.id is not None else None
    data = {k: v.get(k) for k in FILE_FIELDS if v.get(k) is not None}
    if f is None:
        db.session.add(StaffFile(organization_id=org.id, person=person, **data))
        changed = changed or person.id is not None
    else:
        changed = _update_file(f, data) or changed
        if changed and f.dismissed_on is not None:  # re-hired: the file opens again
            f.dismissed_on, f.dismissal_reason = None, None
    if known.get(v["national_id"]) is not None:
        if changed:
            counts.updated += 1
        else:
            counts.skipped += 1


def _update_file(f: StaffFile, data: dict) -> bool:
    changed = False
    for k, val in data.items():
        if getattr(f, k) != val:
            setattr(f, k, val)
            changed = True
    return changed


STAFF_IMPORT = ImportSpec(kind="staff", title=_l("Staff"), columns=COLUMNS, check=check,
                          write=write, authorise=authorise)
