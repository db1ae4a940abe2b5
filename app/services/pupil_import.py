"""The "Pupils with parents" import, declared on ``app.services.imports`` (issue 5).

One row = one pupil of the school, in a class of the current academic year, with up to two
parents or legal representatives. The whole file is checked first (``check``); then
``write`` creates everything with a fixed number of statements per chunk of rows (persons,
memberships, class enrolments, personal files and parent links are prefetched and inserted
in bulk), in the caller's one transaction.

Re-importing (decisions, see docs/records-office.md):
- a pupil is recognised by the IIN/PIN; their names in the file must match the system;
- a pupil who is an active pupil of ANOTHER school is an error (that is a transfer, done
  with a contingent movement);
- a pupil already in THIS school is not duplicated: personal data are not changed; a
  missing class enrolment, personal file or parent is added (the row counts as *updated*),
  otherwise the row counts as *unchanged*; a pupil already in another class of the year is
  an error (a transfer between classes is a contingent movement);
- a parent is recognised by the IIN/PIN, or, without one, among the pupil's parents by the
  full name; parents are never duplicated;
- "Parent N: electronic results" (yes / no, optional) records the parent's consent to
  receive results electronically, dated the day of the import; a consent already recorded
  on the file is never changed by an import; left empty, the consent stays "not recorded".
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.models.mixins import current_user_id, utcnow
from app.models.org import Organization
from app.models.people import (
    PARENT_KIND_LABELS,
    SEX_LABELS,
    AuditRecord,
    Membership,
    ParentLink,
    Person,
    Role,
    Sex,
)
from app.models.pupil_file import EducationForm, PupilFile
from app.models.study import AcademicYear, ClassEnrollment, SchoolClass
from app.security.audit import _plain
from app.services.errors import DomainError
from app.services.imports import (
    CellError,
    Counts,
    ImportColumn,
    ImportSpec,
    ParsedRow,
    RowError,
    choice,
    date,
    identifier,
    text,
)
from app.services.national_id import validate_national_id

CHUNK = 1000
PARENTS = (1, 2)


def limited(n: int):
    def parse(value):
        s = text(value)
        if s is not None and len(s) > n:
            raise CellError(gettext("at most %(n)s characters", n=n))
        return s
    return parse


def _parent_columns(i: int) -> list[ImportColumn]:
    return [
        ImportColumn(f"parent{i}_name", _l("Parent %(n)s: full name", n=i), parse=limited(300),
                     example="Ахметова Гульнара Сериковна" if i == 1 else ""),
        ImportColumn(f"parent{i}_national_id", _l("Parent %(n)s: IIN / PIN", n=i),
                     parse=identifier, example="850314400123" if i == 1 else ""),
        ImportColumn(f"parent{i}_phone", _l("Parent %(n)s: phone", n=i), parse=limited(50),
                     example="+7 701 000 00 00" if i == 1 else ""),
        ImportColumn(f"parent{i}_kind", _l("Parent %(n)s: kinship", n=i),
                     parse=choice(PARENT_KIND_LABELS),
                     example=str(PARENT_KIND_LABELS["mother"]) if i == 1 else ""),
        ImportColumn(f"parent{i}_consent",
                     _l("Parent %(n)s: electronic results (yes / no)", n=i),
                     parse=choice(CONSENT_CHOICES),
                     example=str(CONSENT_CHOICES["yes"]) if i == 1 else ""),
    ]


#: the consent column's values; the import records the consent dated the day of the import
CONSENT_CHOICES = {"yes": _l("yes"), "no": _l("no")}


COLUMNS = [
    ImportColumn("last_name", _l("Last name"), True, limited(100), example="Ахметов"),
    ImportColumn("first_name", _l("First name"), True, limited(100), example="Арман"),
    ImportColumn("middle_name", _l("Middle name"), parse=limited(100), example="Ерланович"),
    ImportColumn("birth_date", _l("Birth date"), parse=date, example="05.05.2014"),
    ImportColumn("sex", _l("Sex"), parse=choice({Sex.M: SEX_LABELS[Sex.M],
                                                 Sex.F: SEX_LABELS[Sex.F]})),
    ImportColumn("national_id", _l("IIN / PIN"), True, identifier, example="140505500127"),
    ImportColumn("class_name", _l("Class"), True, limited(20), example="5 A"),
    ImportColumn("address", _l("Address"), parse=limited(500), example="Алматы, ул. Абая 1"),
    ImportColumn("phone", _l("Phone"), parse=limited(50)),
] + [c for i in PARENTS for c in _parent_columns(i)]


# --- look-ups, each a fixed number of queries ----------------------------------------------


def _chunks(items: list):
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def known_persons(ids: list[str]) -> dict[str, Person]:
    out: dict[str, Person] = {}
    for chunk in _chunks(sorted(set(ids))):
        for p in db.session.scalars(select(Person).options(
                lazyload(Person.memberships), lazyload(Person.user))
                .where(Person.national_id.in_(chunk))):
            out[p.national_id] = p
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


def _student_orgs(person_ids: list[int]) -> dict[int, set[int]]:
    """Organisations where each person is an active pupil."""
    out: dict[int, set[int]] = {}
    for chunk in _chunks(person_ids):
        for pid, org_id in db.session.execute(select(
                Membership.person_id, Membership.organization_id).where(
                Membership.person_id.in_(chunk), Membership.role == Role.student,
                Membership.end_date.is_(None))):
            out.setdefault(pid, set()).add(org_id)
    return out


def _same_names(p: Person, last: str | None, first: str | None) -> bool:
    return (p.last_name or "").casefold() == (last or "").casefold() and \
        (p.first_name or "").casefold() == (first or "").casefold()


def split_name(full: str | None) -> tuple[str, str, str | None] | None:
    parts = (full or "").split()
    if len(parts) < 2:
        return None
    return parts[0], parts[1], " ".join(parts[2:]) or None


# --- checks ---------------------------------------------------------------------------------


@dataclass
class _Checker:
    org: Organization
    spec: ImportSpec
    errors: list[RowError] = field(default_factory=list)

    def err(self, row: ParsedRow, key: str, rule: str) -> None:
        self.errors.append(RowError(row.number, self.spec.header(key), rule))

    def identity(self, row: ParsedRow, key: str, birth_key: str | None = None,
                 sex_key: str | None = None) -> str | None:
        """The identifier valid for the school's country; birth date and sex agree."""
        nid = row.values.get(key)
        if not nid:
            return None
        try:
            info = validate_national_id(nid, self.org.country or "KZ")
        except DomainError as e:
            self.err(row, key, str(e))
            return None
        row.values[key] = info.value
        if birth_key:
            if row.values.get(birth_key) is None:
                row.values[birth_key] = info.birth_date
            elif row.values[birth_key] != info.birth_date:
                self.err(row, birth_key, gettext("it does not match the date in the IIN / PIN"))
        if sex_key:
            sex = row.values.get(sex_key)
            if sex is None:
                row.values[sex_key] = Sex(info.sex)
            elif getattr(sex, "value", sex) != info.sex:
                self.err(row, sex_key, gettext("it does not match the sex in the IIN / PIN"))
        return info.value

    def parent(self, row: ParsedRow, i: int, pupil_id: str | None) -> None:
        v = row.values
        keys = [f"parent{i}_name", f"parent{i}_national_id", f"parent{i}_phone",
                f"parent{i}_kind"]
        if not any(v.get(k) for k in keys):
            return
        if v.get(keys[0]) and split_name(v[keys[0]]) is None:
            self.err(row, keys[0], gettext("last name and first name are required"))
        for k in (keys[0], keys[3]):
            if not v.get(k):
                self.err(row, k, gettext("required field"))
        nid = self.identity(row, keys[1])
        if nid and nid == pupil_id:
            self.err(row, keys[1], gettext("the same identifier as the pupil's"))
        if nid and i == 2 and nid == v.get("parent1_national_id"):
            self.err(row, keys[1], gettext("the same identifier as parent 1"))


def check(org: Organization, rows: list[ParsedRow], spec: ImportSpec) -> list[RowError]:
    """Identifiers valid for the school's country and once in the file; the class known in
    the current academic year; a known pupil has the same names and is not a pupil of
    another school; a known parent has the same last name."""
    c = _Checker(org, spec)
    seen: dict[str, int] = {}
    for r in rows:
        nid = c.identity(r, "national_id", "birth_date", "sex")
        if nid:
            if nid in seen:
                c.err(r, "national_id", gettext("duplicate in the file (row %(row)s)",
                                                row=seen[nid]))
            else:
                seen[nid] = r.number
        for i in PARENTS:
            c.parent(r, i, nid)
    year = current_year(org.id)
    classes = classes_of(year)
    for r in rows:
        name = r.values.get("class_name")
        if name and classes.get(class_key(name) or (0, "")) is None:
            c.err(r, "class_name", gettext("unknown class in the current academic year")
                  if year else gettext("the school has no academic year"))
    _check_known(c, org, rows)
    return c.errors


def _check_known(c: _Checker, org: Organization, rows: list[ParsedRow]) -> None:
    """Rows against the persons already in the system (a fixed number of queries)."""
    pupil_ids = [r.values["national_id"] for r in rows if r.values.get("national_id")]
    parent_ids = [r.values[f"parent{i}_national_id"] for r in rows for i in PARENTS
                  if r.values.get(f"parent{i}_national_id")]
    known = known_persons(pupil_ids + parent_ids)
    orgs = _student_orgs([p.id for p in known.values()])
    for r in rows:
        p = known.get(r.values.get("national_id") or "")
        if p is not None:
            if not _same_names(p, r.values.get("last_name"), r.values.get("first_name")):
                c.err(r, "national_id", gettext(
                    "duplicate in the system: this identifier belongs to another person"))
            elif orgs.get(p.id, set()) - {org.id}:
                c.err(r, "national_id", gettext(
                    "already a pupil of another school: transfer the pupil with a "
                    "contingent movement"))
        for i in PARENTS:
            pp = known.get(r.values.get(f"parent{i}_national_id") or "")
            names = split_name(r.values.get(f"parent{i}_name"))
            if pp is not None and names and \
                    (pp.last_name or "").casefold() != names[0].casefold():
                c.err(r, f"parent{i}_national_id", gettext(
                    "duplicate in the system: this identifier belongs to another person"))


# --- writing --------------------------------------------------------------------------------
#
# New rows are collected as plain dicts and inserted per table with one multi-row INSERT per
# chunk (SQLAlchemy "insertmanyvalues", RETURNING the ids): the ORM unit of
# work would emit one INSERT per object here, because rows of one table differ in which
# columns are empty. A new person is referred to as ``("new", index)`` until inserted.

_PERSON_KEYS = ("last_name", "first_name", "middle_name", "birth_date", "sex", "country",
                "national_id", "phone", "address")


@dataclass
class _State:
    org: Organization
    year: AcademicYear
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
    new_by_nid: dict[str, tuple] = field(default_factory=dict)
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
    for chunk in _chunks(person_ids):
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


def _new_person(st: _State, **values) -> tuple:
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


def _parent_ref(st: _State, v: dict, i: int) -> tuple[object, Person | None]:
    nid = v.get(f"parent{i}_national_id")
    known = st.known.get(nid) if nid else None
    if known is not None:
        return known.id, known
    if nid and nid in st.new_by_nid:
        return st.new_by_nid[nid], None
    last, first, middle = split_name(v[f"parent{i}_name"])
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
    if pupil is None:
        ref = _new_person(st, **{k: v.get(k) for k in _PERSON_KEYS if k != "country"},
                          country=st.org.country or "KZ")
    else:
        ref = pupil.id
    changed = _membership(st, ref, Role.student, pupil)
    cls = st.classes[class_key(v["class_name"])]
    if pupil is None or pupil.id not in st.open_class:
        start = st.year.starts_on
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
                      "changes": json.dumps({k: [None, _plain(val)] for k, val in row.items()},
                                            ensure_ascii=False, default=str)})
    return ids


def write(org: Organization, rows: list[ParsedRow]) -> Counts:
    """Create or complete each pupil (see the module's docstring) with a fixed number of
    statements per chunk of rows, whatever the number of rows."""
    from app.services.people import sync_user_roles

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
                      "changes": json.dumps({k: [None, _plain(c[k])] for k in c if k != "id"},
                                            ensure_ascii=False, default=str)}
                     for c in st.consents)
    if audit:
        db.session.execute(insert(AuditRecord.__table__), audit)
    for person in st.touched_users:  # a registered user's FAB roles follow the new role
        db.session.expire(person, ["memberships"])
        sync_user_roles(person)
    return counts


PUPIL_IMPORT = ImportSpec(kind="pupils", title=_l("Pupils with parents"), columns=COLUMNS,
                          check=check, write=write)
