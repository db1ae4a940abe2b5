"""Who may see and act on transfer requests between schools (issue 5, records office).

- the requests of a school - those it made and those it received - are read by the staff who
  read that school (administration and district staff: ``scopes.staff_read_clause``);
- the leaving school's writers accept or refuse a waiting request; the requesting school's
  writers withdraw it (``scopes.can_write_org``).
"""
from __future__ import annotations

from sqlalchemy import or_

from app.models.contingent import TransferRequest
from app.security.scopes import UserScope, can_write_org, current_scope, staff_read_clause

#: which school's writers take each action on a request
_ACTING_SCHOOL = {"accept": "source_organization_id", "refuse": "source_organization_id",
                  "withdraw": "organization_id"}


def transfer_request_read_clause(scope: UserScope | None = None):
    """SQL condition on :class:`TransferRequest`: the user reads either school."""
    scope = scope or current_scope()
    return or_(staff_read_clause(TransferRequest.organization_id, scope),
               staff_read_clause(TransferRequest.source_organization_id, scope))


def can_act_on_request(req: TransferRequest, action: str, scope: UserScope) -> bool:
    """May the user of ``scope`` ``accept``, ``refuse`` or ``withdraw`` the request?"""
    column = _ACTING_SCHOOL.get(action)
    return column is not None and can_write_org(getattr(req, column), scope)
