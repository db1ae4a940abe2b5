"""Pupil personal file rules (seed 003 §57-§58, seed 004 figures 22-23).

Every change is a command (``app.services.unit_of_work.command``: one transaction per user
action, committed when it returns, rolled back when it raises) that takes the actor's scope
first and checks its write rule before anything else: :func:`authorise` (the school's
writers), the sensitive parts also readable by the scope, the characterisation by the rule
of ``app.security.pupils.scope``. The pages' rule for a new or changed file is
:func:`check_file`. Errors are ``DomainError``s naming the field and the rule.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from app.extensions import db
from app.models.org import Organization
from app.models.people import PARENT_KIND_LABELS, Membership, ParentLink, Person, Role
from app.models.pupil_file import (
    HEALTH_GROUP_LABELS,
    PE_GROUP_LABELS,
    SOCIAL_CATEGORY_LABELS,
    EducationForm,
    PupilAchievement,
    PupilFile,
)
from app.security.pupils.scope import can_read_sensitive, can_write_characterisation
from app.security.scopes import UserScope, can_write_org
from app.services import people as people_service
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.unit_of_work import command

#: photo limits: JPEG or PNG, at most 1 MB
PHOTO_MAX_BYTES = 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
#: the columns of the medical and social parts a writer changes on the file
SENSITIVE_FIELDS = ("social_categories", "social_note", "health_group", "pe_group",
                    "allergies", "vaccinations", "medication", "rehabilitation_class",
                    "limited_health", "medical_note")


def _refused() -> ScopeError:
    return ScopeError(_l("You may not change personal files of this organization"),
                      code="scope")


def authorise(scope: UserScope, org_id: int | None) -> None:
    """The write rule of pupils' files: only the school's writers (ScopeError otherwise)."""
    if not can_write_org(org_id, scope):
        raise _refused()


def authorise_sensitive(scope: UserScope, f: PupilFile) -> None:
    """The medical and social parts are changed by the school's writers who read them."""
    authorise(scope, f.organization_id)
    if not can_read_sensitive(f.id, scope):
        raise _refused()


def authorise_characterisation(scope: UserScope, f: PupilFile) -> None:
    """The characterisation: the school's writers or the pupil's class teacher."""
    if not can_write_characterisation(f.id, scope):
        raise _refused()


def is_student_of(org_id: int, person_id: int) -> bool:
    return db.session.execute(select(Membership.id).where(
        Membership.organization_id == org_id, Membership.person_id == person_id,
        Membership.role == Role.student)).first() is not None


def file_of(person_id: int) -> PupilFile | None:
    return db.session.scalars(select(PupilFile).where(PupilFile.person_id == person_id)).first()


@command
def open_file(scope: UserScope, org: Organization, person: Person, **data) -> PupilFile:
    """Open the personal file of a pupil of ``org`` (one file per pupil, ever)."""
    authorise(scope, org.id)
    if person.id is None or not is_student_of(org.id, person.id):
        raise ValidationError(_l("Pupil: this person is not a pupil of the school"),
                              field="person", code="not_a_pupil")
    if file_of(person.id) is not None:
        raise ConflictError(_l("Pupil: this pupil already has a personal file"),
                            field="person", code="file_exists")
    f = PupilFile(organization_id=org.id, person=person, **data)
    check_fields(f)
    db.session.add(f)
    db.session.flush()
    return f


def check_file(scope: UserScope, f: PupilFile) -> None:
    """The rule for a new or changed file (the page's add and edit forms): a pupil is named;
    a new file goes to the pupil's school the scope writes (else the first one) and is the
    pupil's only file; the scope writes the file's school; the fields' rules
    (:func:`check_fields`)."""
    if f.person is None:
        raise ScopeError(_l("%(field)s is required", field=_l("Pupil")), field="person",
                         code="required")
    if f.organization_id is None:  # the school where the user enters the pupil
        orgs = db.session.scalars(select(Membership.organization_id).where(
            Membership.person_id == f.person.id, Membership.role == Role.student,
            Membership.end_date.is_(None))).all()
        f.organization_id = next((o for o in orgs if can_write_org(o, scope)),
                                 orgs[0] if orgs else None)
        if f.person.id is not None and file_of(f.person.id) is not None:
            raise ScopeError(_l("Pupil: this pupil already has a personal file"),
                             field="person", code="file_exists")
    authorise(scope, f.organization_id)
    check_fields(f)


def check_fields(f: PupilFile) -> None:
    """Choice fields hold known codes; the arrival date is not in the future."""
    if f.education_form is not None and not isinstance(f.education_form, EducationForm):
        try:
            f.education_form = EducationForm(f.education_form)
        except ValueError:
            raise ValidationError(_l("Form of education: not a valid choice"),
                                  field="education_form", code="choice") from None
    codes = [c.strip() for c in (f.social_categories or "").split(",") if c.strip()]
    bad = [c for c in codes if c not in SOCIAL_CATEGORY_LABELS]
    if bad:
        raise ValidationError(_l("Social status: unknown category %(code)s", code=bad[0]),
                              field="social_categories", code="choice")
    f.social_categories = ",".join(dict.fromkeys(codes)) or None
    if f.health_group and f.health_group not in HEALTH_GROUP_LABELS:
        raise ValidationError(_l("Health group: not a valid choice"), field="health_group",
                              code="choice")
    if f.pe_group and f.pe_group not in PE_GROUP_LABELS:
        raise ValidationError(_l("Physical education group: not a valid choice"),
                              field="pe_group", code="choice")
    if f.arrived_on and f.arrived_on > dt.date.today():
        raise ValidationError(_l("Arrival date: it cannot be in the future"),
                              field="arrived_on", code="future")


@command
def change_sensitive(scope: UserScope, f: PupilFile, values: dict) -> None:
    """Change the medical notes and social status (``SENSITIVE_FIELDS``; an empty value is
    stored as none) under :func:`authorise_sensitive`, then the fields' rules."""
    authorise_sensitive(scope, f)
    for name in SENSITIVE_FIELDS:
        if name in values:
            val = values[name]
            setattr(f, name, val if val not in ("",) else None)
    check_fields(f)
    db.session.flush()


@command
def set_characterisation(scope: UserScope, f: PupilFile, text: str | None, author: str,
                         on: dt.date | None = None) -> None:
    """The characterisation, with its author and date (the date defaults to today)."""
    authorise_characterisation(scope, f)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("%(field)s is required", field=_l("Characterisation")),
                              field="characterisation", code="required")
    on = on or dt.date.today()
    if on > dt.date.today():
        raise ValidationError(_l("Date: it cannot be in the future"),
                              field="characterisation_date", code="future")
    f.characterisation, f.characterisation_author, f.characterisation_date = text, author, on
    db.session.flush()


@command
def set_photo(scope: UserScope, f: PupilFile, data: bytes | None) -> None:
    """A JPEG or PNG photo of at most 1 MB, stored in the database; the type is read from
    the file's first bytes, not from its name."""
    authorise(scope, f.organization_id)
    if not data:
        raise ValidationError(_l("Photo: choose a file"), field="photo", code="required")
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(_l("Photo: the file is larger than 1 MB"), field="photo",
                              code="too_large")
    mime = next((m for magic, m in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if mime is None:
        raise ValidationError(_l("Photo: only JPEG or PNG images are accepted"),
                              field="photo", code="type")
    f.photo, f.photo_mime = data, mime
    db.session.flush()


def check_achievement(scope: UserScope, a: PupilAchievement) -> None:
    """The rule for a new achievement: an event, a date not in the future, the file of a
    school the scope writes (the achievement takes its organisation)."""
    if not (a.event or "").strip():
        raise ValidationError(_l("%(field)s is required", field=_l("Event")), field="event",
                              code="required")
    if a.held_on and a.held_on > dt.date.today():
        raise ValidationError(_l("Date: it cannot be in the future"), field="held_on",
                              code="future")
    f = a.file or (db.session.get(PupilFile, a.file_id) if a.file_id else None)
    if f is None:
        raise ValidationError(_l("%(field)s is required", field=_l("Pupil")), field="file",
                              code="required")
    authorise(scope, f.organization_id)
    a.organization_id = f.organization_id


@command
def add_achievement(scope: UserScope, f: PupilFile, **fields) -> PupilAchievement:
    """Add an olympiad or another achievement to the file (:func:`check_achievement`)."""
    authorise(scope, f.organization_id)
    with db.session.no_autoflush:
        a = PupilAchievement(file=f, **fields)
        check_achievement(scope, a)
    db.session.add(a)
    db.session.flush()
    return a


# --- parents and legal representatives ---------------------------------------------------


def check_kind(kind: str | None) -> None:
    if not kind or kind not in PARENT_KIND_LABELS:
        raise ValidationError(_l("Kinship: not a valid choice"), field="kind", code="choice")


@command
def add_parent(scope: UserScope, f: PupilFile, parent: Person, kind: str,
               legal_representative: bool = True,
               workplace: str | None = None, job_position: str | None = None,
               electronic_consent: bool = True, consent_date: dt.date | None = None,
               consent_how: str | None = None) -> ParentLink:
    """Link a parent or legal representative to the pupil (seed 004 figure 23). A parent
    already in the system (same IIN/PIN) is reused, never duplicated; the parent gets the
    Parent role in the pupil's school if they do not have it yet."""
    authorise(scope, f.organization_id)
    check_kind(kind)
    org = f.organization or db.session.get_one(Organization, f.organization_id)
    if parent.id is None and parent.national_id:
        nid = people_service.normalise_national_id(parent.national_id)
        known = db.session.scalars(select(Person).where(Person.national_id == nid)).first()
        if known is not None:
            if (known.last_name or "").casefold() != (parent.last_name or "").casefold():
                raise ConflictError(_l("IIN / PIN: another person already has this identifier"),
                                    field="national_id", code="national_id_duplicate")
            if parent in db.session:
                db.session.expunge(parent)
            parent = known
    if parent.id == f.person_id:
        raise ValidationError(_l("A pupil cannot be their own parent"), field="parent",
                              code="self")
    if parent.id is not None and db.session.execute(select(ParentLink.id).where(
            ParentLink.parent_id == parent.id, ParentLink.student_id == f.person_id)).first():
        raise ConflictError(_l("This parent is already linked to the pupil"), field="parent",
                            code="link_exists")
    has_role = parent.id is not None and db.session.execute(select(Membership.id).where(
        Membership.person_id == parent.id, Membership.organization_id == org.id,
        Membership.role == Role.parent, Membership.end_date.is_(None))).first() is not None
    if not has_role:
        people_service.add_participant(scope, org, Role.parent, person=parent)
    link = ParentLink(parent=parent, student_id=f.person_id, kind=kind,
                      relation=str(PARENT_KIND_LABELS[kind]),
                      legal_representative=legal_representative, workplace=workplace,
                      job_position=job_position)
    db.session.add(link)
    _record_consent(link, electronic_consent, consent_date, consent_how)
    return link


def declined_electronic_clause():
    """SQL condition on :class:`ParentLink`: the parent's refusal of electronic results is
    recorded (seed 002 §2.15, 003 §57). A link whose consent is not recorded yet (an
    imported parent) is not a refusal: the school records it on the pupil's file."""
    return and_(ParentLink.electronic_consent.is_(False), ParentLink.consent_date.is_not(None))


@command
def set_consent(scope: UserScope, link: ParentLink, consent: bool, on: dt.date | None = None,
                how: str | None = None) -> None:
    """Seed 003 §57: the school records the parent's consent (or refusal) to receive the
    pupil's results electronically, with the date and how it was given. A parent who
    declined gets printed summaries (recorded only). The scope writes the pupil's file."""
    f = file_of(link.student_id)
    if f is None:
        raise _refused()
    authorise(scope, f.organization_id)
    _record_consent(link, consent, on, how)


def _record_consent(link: ParentLink, consent: bool, on: dt.date | None,
                    how: str | None) -> None:
    on = on or dt.date.today()
    if on > dt.date.today():
        raise ValidationError(_l("Consent date: it cannot be in the future"),
                              field="consent_date", code="future")
    link.electronic_consent = bool(consent)
    link.consent_date = on
    link.consent_how = (how or "").strip() or None
    db.session.flush()


def parents_of(person_ids: list[int]) -> dict[int, list[ParentLink]]:
    """Parent links of pupils, with the parents, in one query."""
    from sqlalchemy.orm import joinedload

    out: dict[int, list[ParentLink]] = {}
    if not person_ids:
        return out
    for link in db.session.scalars(select(ParentLink).options(joinedload(ParentLink.parent))
                                   .where(ParentLink.student_id.in_(person_ids))
                                   .order_by(ParentLink.id)):
        out.setdefault(link.student_id, []).append(link)
    return out


def current_class(person_id: int, org_id: int):
    from app.models.study import ClassEnrollment

    e = db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.person_id == person_id, ClassEnrollment.organization_id == org_id,
        ClassEnrollment.to_date.is_(None)).order_by(ClassEnrollment.from_date.desc())).first()
    return e.school_class if e else None
