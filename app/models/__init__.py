"""All models, imported so that metadata is complete."""
from app.models.org import (  # noqa: F401
    EmailConfirmation,
    Organization,
    OrganizationLogo,
    OrgKind,
    OrgType,
    OutboxMessage,
)
from app.models.people import (  # noqa: F401
    AuditRecord,
    LoginEvent,
    Membership,
    ParentLink,
    Person,
    Role,
    Sex,
)
