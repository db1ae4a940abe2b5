"""Organisation rules and commands: the tree (no cycles, materialised path), closing,
profile settings (logo, appeals e-mail), a district's subordinate list and types.

Every command takes the actor's scope first, checks the organisation's write rule
(:func:`check_org_write`), validates, acts and commits as one unit of work
(``app.services.unit_of_work.command``). :func:`check_organization` is the one rule the
generated organisation page and REST resource apply to a new or changed row."""
from __future__ import annotations

import datetime as dt
import io
import secrets

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select, update

from app.extensions import db
from app.models.mixins import utcnow
from app.models.org import (
    ALLOWED_PARENT_KINDS,
    EmailConfirmation,
    Organization,
    OrganizationLogo,
    OrgKind,
    OrgType,
)
from app.models.people import Membership
from app.security.scopes import UserScope, can_write_org
from app.services.errors import ConflictError, ScopeError, ValidationError
from app.services.unit_of_work import command

LOGO_MAX_BYTES = 4 * 1024 * 1024
LOGO_SIZE = (150, 150)
#: a confirmation code allows this many tries and lives this long (our decision: the seed
#: asks for a confirmation by code and says nothing of limits)
CODE_MAX_ATTEMPTS = 5
CODE_TTL = dt.timedelta(hours=24)


def compute_path(parent: Organization | None, org_id: int) -> str:
    """Materialised path: the parent's path followed by the organisation's own id."""
    return f"{parent.path if parent else '/'}{org_id}/"


def check_parent(org: Organization, parent: Organization | None) -> None:
    """Refuse a parent that is the organisation itself or one of its descendants, or a
    parent of a kind that cannot hold this kind (a school cannot hold a district)."""
    if parent is None:
        if org.kind != OrgKind.ministry:
            raise ValidationError(_l("Only a ministry can have no parent organization"),
                                  field="parent", code="parent_required")
        return
    if org.id is not None and (parent.id == org.id or
                               (org.path and parent.path.startswith(org.path))):
        raise ConflictError(_l("An organization cannot be placed under itself or under one "
                               "of its own subordinate organizations"),
                            field="parent", code="parent_cycle")
    allowed = ALLOWED_PARENT_KINDS.get(OrgKind(org.kind), set())
    if OrgKind(parent.kind) not in allowed:
        raise ValidationError(_l("This kind of organization cannot be subordinate to "
                                 "the chosen parent"), field="parent", code="parent_kind")


def place(org: Organization) -> None:
    """Check the parent and (re)compute the path of ``org`` and of all its descendants."""
    parent = org.parent
    if parent is None and org.parent_id is not None:
        parent = db.session.get(Organization, org.parent_id)
    check_parent(org, parent)
    if org.id is None:
        db.session.add(org)
        db.session.flush()
    old_path = org.path
    new_path = compute_path(parent, org.id)
    if old_path == new_path:
        return
    org.path = new_path
    if old_path:
        db.session.execute(
            update(Organization)
            .where(Organization.path.like(old_path + "%"), Organization.id != org.id)
            .values(path=func.replace(Organization.path, old_path, new_path))
            .execution_options(synchronize_session=False)
        )


def check_org_write(scope: UserScope, org_id: int | None, field: str = "id") -> None:
    """Refuse an organisation outside the scope's write scope (its writers change it)."""
    if not can_write_org(org_id, scope):
        raise ScopeError(_l("You may not change organizations outside your scope"),
                         field=field, code="scope")


def check_organization(scope: UserScope, org: Organization) -> None:
    """The rule of a new or changed organisation (page and REST): the scope changes the
    organisation (a new one: its parent); a move goes only under a parent the scope changes;
    then the tree's rules (:func:`place`)."""
    target = org.id if org.id is not None else org.parent_id or (
        org.parent.id if org.parent else None)
    check_org_write(scope, target, field="parent")
    if org.id is not None and org.parent is not None and \
            not can_write_org(org.parent.id, scope) and \
            db.session.get_one(Organization, org.id).parent_id != org.parent.id:
        raise ScopeError(_l("You may not move an organization under this parent"),
                         field="parent", code="scope")
    place(org)


def check_org_type(scope: UserScope, org_type: OrgType) -> None:
    """The rule of a new or changed organisation type: only the ministry changes them."""
    if not scope.everything:
        raise ScopeError(_l("Only the ministry changes organization types"), code="scope")


@command
def create_organization(scope: UserScope, **fields) -> Organization:
    """A new organisation placed in the tree below its parent (which the scope changes)."""
    org = Organization(**fields)
    check_organization(scope, org)
    return org


def delete_blockers(org: Organization) -> list[str]:
    """Why an organisation may not be deleted: it has subordinate organisations or members."""
    reasons = []
    if db.session.scalar(select(func.count()).where(Organization.parent_id == org.id)):
        reasons.append(str(_l("it has subordinate organizations")))
    if db.session.scalar(select(func.count()).where(Membership.organization_id == org.id)):
        reasons.append(str(_l("it has members")))
    return reasons


def check_can_delete(org: Organization) -> None:
    reasons = delete_blockers(org)
    if reasons:
        raise ConflictError(
            _l("The organization cannot be deleted: %(reasons)s. Close it instead.",
               reasons="; ".join(reasons)), field="id", code="org_not_empty")


@command
def close_organization(scope: UserScope, org: Organization, on: dt.date | None = None) -> None:
    """Close an organisation: it stays in the tree and in the archive, its members lose access."""
    check_org_write(scope, org.id)
    org.closed_on = on or dt.date.today()


@command
def reopen_organization(scope: UserScope, org: Organization) -> None:
    check_org_write(scope, org.id)
    org.closed_on = None


@command
def set_logo(scope: UserScope, org: Organization, data: bytes | None,
             filename: str = "") -> OrganizationLogo:
    """Store a JPG or PNG logo of at most 4 MB and its 150x150 copy.

    Seed 000 §3.2.1: JPG or PNG, at most 4 MB. A wrong file raises and the old logo stays.
    """
    check_org_write(scope, org.id, field="logo")
    if data is None:
        raise ValidationError(_l("Logo: choose a file"), field="logo", code="required")
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(_l("Logo: the file is larger than 4 MB"), field="logo",
                              code="logo_too_big")
    try:
        img = Image.open(io.BytesIO(data))
        img.verify()
        img = Image.open(io.BytesIO(data))
        fmt = img.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_l("Logo: the file is not a JPG or PNG image"), field="logo",
                              code="logo_format") from None
    if fmt not in ("JPEG", "PNG"):
        raise ValidationError(_l("Logo: the file is not a JPG or PNG image"), field="logo",
                              code="logo_format")
    thumb = img.convert("RGBA")
    thumb.thumbnail(LOGO_SIZE)
    canvas = Image.new("RGBA", LOGO_SIZE, (255, 255, 255, 0))
    canvas.paste(thumb, ((LOGO_SIZE[0] - thumb.width) // 2, (LOGO_SIZE[1] - thumb.height) // 2))
    out = io.BytesIO()
    canvas.save(out, "PNG")
    logo = db.session.get(OrganizationLogo, org.id) or OrganizationLogo(organization_id=org.id)
    logo.content_type = "image/jpeg" if fmt == "JPEG" else "image/png"
    logo.original = data
    logo.thumbnail = out.getvalue()
    logo.uploaded_at = utcnow()
    db.session.add(logo)
    return logo


@command
def request_email_confirmation(scope: UserScope, org: Organization,
                               email: str) -> EmailConfirmation:
    """Send a six-digit code to the appeals e-mail; the address counts only once confirmed."""
    from app.services.mail import send_mail

    check_org_write(scope, org.id, field="appeals_email")
    email = (email or "").strip()
    if "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        raise ValidationError(_l("Appeals e-mail: not a valid e-mail address"),
                              field="appeals_email", code="email_invalid")
    code = f"{secrets.randbelow(1_000_000):06d}"
    conf = EmailConfirmation(organization_id=org.id, email=email, code=code)
    db.session.add(conf)
    org.appeals_email = email
    org.appeals_email_confirmed_at = None
    send_mail(email, str(_l("Confirm the e-mail for appeals")),
              str(_l("Your confirmation code: %(code)s", code=code)))
    return conf


def confirm_email(scope: UserScope, org: Organization, code: str) -> None:
    """Confirm the appeals e-mail with the last code sent to it: at most
    ``CODE_MAX_ATTEMPTS`` tries within ``CODE_TTL``, then a new code must be sent. A wrong
    code still counts: the attempt is committed (:func:`try_email_code`) before the
    refusal is raised."""
    refusal = try_email_code(scope, org, code)
    if refusal is not None:
        raise refusal


@command
def try_email_code(scope: UserScope, org: Organization, code: str) -> ValidationError | None:
    """One attempt at the appeals e-mail's code: counted, and the e-mail confirmed when the
    code is right; a wrong code is returned (not raised) so that the attempt is kept."""
    check_org_write(scope, org.id, field="code")
    conf = db.session.scalars(
        select(EmailConfirmation)
        .where(EmailConfirmation.organization_id == org.id,
               EmailConfirmation.email == org.appeals_email,
               EmailConfirmation.confirmed_at.is_(None))
        .order_by(EmailConfirmation.id.desc())
    ).first()
    if conf is None:
        raise ValidationError(_l("No confirmation code was sent for this e-mail"),
                              field="code", code="no_code")
    if conf.attempts >= CODE_MAX_ATTEMPTS or utcnow() - conf.sent_at > CODE_TTL:
        raise ValidationError(_l("Confirmation code: too many wrong attempts or the code has "
                                 "expired; send a new code"), field="code", code="code_spent")
    conf.attempts += 1
    if not secrets.compare_digest(conf.code, (code or "").strip()):
        return ValidationError(_l("Confirmation code: the code is wrong"), field="code",
                               code="code_wrong")
    conf.confirmed_at = utcnow()
    org.appeals_email_confirmed_at = conf.confirmed_at
    return None


@command
def set_supervised_types(scope: UserScope, district: Organization, type_ids: list[int]) -> None:
    """The types of organisations a district supervises (its subordinate list shows them)."""
    check_org_write(scope, district.id, field="types")
    types = db.session.scalars(select(OrgType).where(OrgType.id.in_(type_ids))).all() \
        if type_ids else []
    district.supervised_types = list(types)


@command
def set_subordination(scope: UserScope, district: Organization, org_ids: list[int],
                      excluded: bool) -> int:
    """Exclude organisations from (or include them into) a district's subordinate list.

    Only organisations below the district are touched. Nothing is deleted.
    """
    check_org_write(scope, district.id, field="ids")
    if not org_ids:
        return 0
    orgs = db.session.scalars(
        select(Organization).where(Organization.id.in_(org_ids),
                                   Organization.path.like(district.path + "%"),
                                   Organization.id != district.id)
    ).all()
    for org in orgs:
        org.subordination_excluded = excluded
    return len(orgs)
