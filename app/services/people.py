"""People rules: persons and identifiers, participants, registration, archive, FAB roles."""
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
from app.services.errors import ConflictError, ValidationError
from app.services.national_id import validate_national_id

PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "lIO0o1")


def person_of_user(user_id: int | None) -> Person | None:
    if user_id is None:
        return None
    return db.session.scalars(select(Person).where(Person.user_id == user_id)).first()


def normalise_national_id(value: str | None) -> str | None:
    value = (value or "").replace(" ", "").strip()
    return value or None


def check_person(person: Person) -> None:
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


def add_participant(org: Organization, role: Role, person: Person | None = None,
                    login: str | None = None, arrival_date: dt.date | None = None,
                    position: str | None = None, public_title: str | None = None,
                    is_admin: bool = False) -> Membership:
    """Add a participant to an organisation: a new person, or an existing user by login."""
    if person is None:
        from flask_appbuilder.security.sqla.models import User

        user = db.session.scalars(select(User).where(User.username == (login or "").strip())) \
            .first()
        person = person_of_user(user.id) if user else None
        if person is None:
            raise ValidationError(_l("Login: no registered user with this login"),
                                  field="login", code="login_unknown")
    else:
        check_person(person)
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


def check_membership(m: Membership) -> None:
    """Rules of a membership row changed directly (edit page, REST): the role fits the
    organisation; the user's FAB roles follow the active memberships."""
    org = m.organization or db.session.get(Organization, m.organization_id)
    if m.role is not None and org is not None:
        check_role_fits(org, Role(m.role))
    if m.person is not None:
        sync_user_roles(m.person)


def end_membership(m: Membership, on: dt.date | None = None, reason: str | None = None) -> None:
    """Exclude from the organisation: the membership gets an end date and goes to the
    archive; the user keeps the account but loses the organisation's data."""
    if m.end_date is not None:
        raise ConflictError(_l("This membership is already in the archive"), field="id",
                            code="already_archived")
    m.end_date = on or dt.date.today()
    m.end_reason = reason
    db.session.flush()
    sync_user_roles(m.person)


def restore_membership(m: Membership) -> None:
    if m.end_date is None:
        raise ConflictError(_l("This membership is active"), field="id", code="not_archived")
    m.end_date = None
    m.end_reason = None
    db.session.flush()
    sync_user_roles(m.person)


def sync_user_roles(person: Person) -> None:
    """A user's FAB roles are the roles of their active memberships (plus Admin if held)."""
    if person.user is None:
        return
    sm = current_app.appbuilder.sm
    wanted = {m.role.value for m in person.memberships if m.end_date is None}
    keep = [r for r in person.user.roles if r.name == sm.auth_role_admin]
    roles = keep + [r for r in (sm.find_role(n) for n in sorted(wanted)) if r is not None]
    person.user.roles = roles


def _login_for(person: Person) -> str:
    """The login is the national identifier (seed 003: PIN as login); else a generated one."""
    if person.national_id:
        return person.national_id
    return f"user{person.id:06d}"


def register(person: Person) -> tuple[str, str]:
    """Make a person a user: a login and a temporary password to print on an invitation.
    The first login forces a new password."""
    if person.user_id is not None:
        raise ConflictError(_l("This person is already registered"), field="id",
                            code="already_registered")
    sm = current_app.appbuilder.sm
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
