"""The "Pupils with parents" import, declared on ``app.services.imports`` (issue 5).

One row = one pupil of the school, in a class of the current academic year, with up to two
parents or legal representatives. The whole file is checked first (``check``, here); then
``write`` (``app.services.pupils.import_writing``) creates everything with a fixed number of
statements per chunk of rows (persons, memberships, class enrolments, personal files and
parent links are prefetched and inserted in bulk), in the one unit of work of
``app.services.imports.run_import``, after the rule of ``app.services.pupils.files.authorise``
(the school's writers).

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

from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.models.org import Organization
from app.models.people import PARENT_KIND_LABELS, SEX_LABELS, Sex
from app.services.errors import DomainError
from app.services.imports import (
    CellError,
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
from app.services.pupils.files import authorise
from app.services.pupils.import_lookups import (
    PARENTS,
    class_key,
    classes_of,
    current_year,
    known_persons,
    same_names,
    split_name,
    student_orgs,
)
from app.services.pupils.import_writing import write


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
    orgs = student_orgs([p.id for p in known.values()])
    for r in rows:
        p = known.get(r.values.get("national_id") or "")
        if p is not None:
            if not same_names(p, r.values.get("last_name"), r.values.get("first_name")):
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


PUPIL_IMPORT = ImportSpec(kind="pupils", title=_l("Pupils with parents"), columns=COLUMNS,
                          check=check, write=write,
                          authorise=authorise)
