"""People rules and commands: persons and identifiers, participants, registration, archive,
FAB roles.

Every command takes the actor's scope first, checks its write rule (the organisation's
writers change its participants, a person is changed by the writers of an organisation
the person belongs to), validates, acts and commits as one unit of work
(``app.services.unit_of_work.command``); a command of another area that calls one of
these joins its unit. :func:`check_person` and :func:`check_membership` are the rules the
generated pages and REST resources apply to a changed row."""
from __future__ import annotations

import datetime as dt
import secrets
import string

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.mixins import utcnow
from app.models.org import Organization
from app.models.people import Membership, Person, Role, Sex
from app.security.scopes import UserScope, can_write_org, can_write_person
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.national_id import validate_national_id
from app.services.unit_of_work import command

PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "lIO0o1")


def person_of_user(user_id: int | None) -> Person | None:
    if user_id is None:
        return None
    return db.session.scalars(select(Person).where(Person.user_id == user_id)).first()


def normalise_national_id(value: str | None) -> str | None:
    value = (value or "").replace(" ", "").strip()
    return value or None


def check_person_write(scope: UserScope, person_id: int | None) -> None:
    """Refuse a person the scope may not change (see ``scopes.can_write_person``)."""
    if not can_write_person(person_id, scope):
        raise ScopeError(_l("You may not change this person"), code="scope")


def check_participants_write(scope: UserScope, org_id: int | None,
                             field: str | None = None) -> None:
    """Refuse changing the participants of an organisation outside the write scope."""
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change participants of this organization"),
                         field=field, code="scope")


def membership_org_id(m: Membership) -> int | None:
    """The organisation of a membership, also before the row is flushed."""
    if m.organization_id is not None:
        return m.organization_id
    return m.organization.id if m.organization is not None else None


def check_person(scope: UserScope, person: Person) -> None:
    """The rule of a changed person (page and REST): the scope changes the person, and the
    person's data is valid (:func:`validate_person`)."""
    # the changed row must not be flushed by the checks' queries (a duplicate
    # identifier would fail as a database error instead of a rule)
    with db.session.no_autoflush:
        check_person_write(scope, person.id)
        validate_person(person)


def validate_person(person: Person) -> None:
    """Names required; the identifier valid for the person's country and not used by another."""
    for fld, label in (("last_name", _l("Last name")), ("first_name", _l("First name"))):
        if not (getattr(person, fld) or "").strip():
            raise ValidationError(_l("%(field)s is required", field=label), field=fld,
                                  code="required")
    person.national_id = normalise_national_id(person.national_id)
    if person.national_id:
        info = validate_national_id(person.national_id, person.country or "KZ")
        check_identity_matches(person, info)
        if person.birth_date is None:
            person.birth_date = info.birth_date
        if person.sex is None:
            person.sex = Sex(info.sex)
        q = select(Person.id).where(Person.national_id == person.national_id)
        if person.id is not None:
            q = q.where(Person.id != person.id)
        with db.session.no_autoflush:  # the changed row must not be written before the check
            taken = db.session.execute(q).first() is not None
        if taken:
            raise ConflictError(_l("IIN / PIN: another person already has this identifier"),
                                field="national_id", code="national_id_duplicate")


def check_identity_matches(person: Person, info) -> None:
    """The IIN/PIN encodes the birth date and the sex (see ``services.national_id``): a
    birth date or sex typed next to it must agree, else one of them is mistyped."""
    if person.birth_date is not None and person.birth_date != info.birth_date:
        raise ValidationError(_l("Birth date: it does not match the date in the IIN / PIN"),
                              field="birth_date", code="birth_date_mismatch")
    sex = person.sex.value if isinstance(person.sex, Sex) else person.sex
    if sex and sex != info.sex:
        raise ValidationError(_l("Sex: it does not match the sex in the IIN / PIN"),
                              field="sex", code="sex_mismatch")


@command
def add_participant(scope: UserScope, org: Organization, role: Role,
                    person: Person | None = None, login: str | None = None,
                    arrival_date: dt.date | None = None, position: str | None = None,
                    public_title: str | None = None, is_admin: bool = False) -> Membership:
    """Add a participant to an organisation the scope changes: a new person, an existing
    person, or an existing user by login."""
    if not can_write_org(org.id, scope):
        raise ScopeError(_l("You may not add participants to this organization"),
                         field="organization", code="scope")
    if person is None:
        from flask_appbuilder.security.sqla.models import User

        user = db.session.scalars(select(User).where(User.username == (login or "").strip())) \
            .first()
        person = person_of_user(user.id) if user else None
        if person is None:
            raise ValidationError(_l("Login: no registered user with this login"),
                                  field="login", code="login_unknown")
    else:
        validate_person(person)
        db.session.add(person)
    check_role_fits(org, role)
    if person.id is not None:
        dup = db.session.scalars(select(Membership).where(
            Membership.person_id == person.id, Membership.organization_id == org.id,
            Membership.role == role, Membership.end_date.is_(None))).first()
        if dup is not None:
            raise ConflictError(_l("This person already has this role in the organization"),
                                field="role", code="membership_duplicate")
    m = Membership(person=person, organization=org, role=role,
                   arrival_date=arrival_date or dt.date.today(), position=position,
                   public_title=public_title, is_admin=is_admin)
    db.session.add(m)
    db.session.flush()
    sync_user_roles(person)
    return m


MINISTRY_ROLES = {Role.ministry_admin, Role.tech_operator}
DISTRICT_ROLES = {Role.district_head, Role.district_deputy, Role.district_admin,
                  Role.district_employee}


def check_role_fits(org: Organization, role: Role) -> None:
    """A role belongs to a kind of organisation (design.md, roles): ministry roles to the
    ministry, district roles to a regional or district department, the others (school
    staff, students, parents) to schools, colleges, kindergartens and other organisations."""
    kind = getattr(org.kind, "value", org.kind)
    if role in MINISTRY_ROLES:
        ok, msg = kind == "ministry", _l("Role: this role belongs to the ministry")
    elif role in DISTRICT_ROLES:
        ok, msg = kind in ("region", "district"), \
            _l("Role: this role belongs to a regional or district education department")
    else:
        ok, msg = kind not in ("ministry", "region", "district"), \
            _l("Role: this role belongs to a school, college or kindergarten")
    if not ok:
        raise ValidationError(msg, field="role", code="role_kind")


def check_membership(scope: UserScope, m: Membership) -> None:
    """The rule of a membership row added or changed directly (edit page, REST): the scope
    changes the organisation's participants (and, for a new row, the person); the role fits
    the organisation; the user's FAB roles follow the active memberships."""
    check_participants_write(scope, membership_org_id(m), field="organization")
    person_id = m.person.id if m.person else m.person_id
    if m.id is None and not can_write_person(person_id, scope):
        raise ScopeError(_l("You may not add this person"), field="person", code="scope")
    org = m.organization or db.session.get(Organization, m.organization_id)
    if m.role is not None and org is not None:
        check_role_fits(org, Role(m.role))
    if m.person is not None:
        sync_user_roles(m.person)


@command
def end_membership(scope: UserScope, m: Membership, on: dt.date | None = None,
                   reason: str | None = None) -> None:
    """Exclude from the organisation: the membership gets an end date and goes to the
    archive; the user keeps the account but loses the organisation's data."""
    check_participants_write(scope, membership_org_id(m))
    if m.end_date is not None:
        raise ConflictError(_l("This membership is already in the archive"), field="id",
                            code="already_archived")
    m.end_date = on or dt.date.today()
    m.end_reason = reason
    db.session.flush()
    sync_user_roles(m.person)


@command
def restore_membership(scope: UserScope, m: Membership) -> None:
    """Bring an excluded participant back from the archive."""
    check_participants_write(scope, membership_org_id(m))
    if m.end_date is None:
        raise ConflictError(_l("This membership is active"), field="id", code="not_archived")
    m.end_date = None
    m.end_reason = None
    db.session.flush()
    sync_user_roles(m.person)


def sync_user_roles(person: Person) -> None:
    """A user's FAB roles are the roles of their active memberships (plus Admin if held).
    A step of the commands that change memberships (here and in other areas), not a
    command of its own."""
    if person.user is None:
        return
    sm = current_app.appbuilder.sm  # type: ignore[attr-defined]  # FAB's attribute
    wanted = {m.role.value for m in person.memberships if m.end_date is None}
    keep = [r for r in person.user.roles if r.name == sm.auth_role_admin]
    roles = keep + [r for r in (sm.find_role(n) for n in sorted(wanted)) if r is not None]
    person.user.roles = roles


def _login_for(person: Person) -> str:
    """The login is the national identifier (seed 003: PIN as login); else a generated one."""
    if person.national_id:
        return person.national_id
    return f"user{person.id:06d}"


@command
def register(scope: UserScope, person: Person) -> tuple[str, str]:
    """Make a person the scope changes a user: a login and a temporary password to print on
    an invitation. The first login forces a new password."""
    check_person_write(scope, person.id)
    if person.user_id is not None:
        raise ConflictError(_l("This person is already registered"), field="id",
                            code="already_registered")
    sm = current_app.appbuilder.sm  # type: ignore[attr-defined]  # FAB's attribute
    login = _login_for(person)
    if sm.find_user(username=login) is not None:
        raise ConflictError(_l("Login: this login is already taken"), field="login",
                            code="login_taken")
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))
    roles = [r for r in (sm.find_role(m.role.value) for m in person.memberships
                         if m.end_date is None) if r is not None]
    if not roles:
        roles = [sm.find_role(sm.auth_role_public)]
    email = person.email or f"{login}@users.kundelik.local"
    user = sm.add_user(login, person.first_name, person.last_name, email, roles, password)
    if not user:
        raise ConflictError(_l("The user could not be created (the e-mail may be taken)"),
                            field="email", code="user_create_failed")
    person.user_id = user.id
    person.registered_at = utcnow()
    person.must_change_password = True
    person.temp_password = password
    return login, password
