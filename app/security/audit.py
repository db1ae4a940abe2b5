"""Audit of every create, update and delete of domain records (who, what, old -> new)."""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import json

from sqlalchemy import event, insert, inspect

from app.models.mixins import current_user_id, utcnow
from app.models.people import AuditRecord, LoginEvent

SKIP_TABLES = {"audit_record", "login_event", "outbox_message", "organization_logo",
               "email_confirmation",
               # FAB's permission machinery, rewritten by `roles sync`, not a user's action
               "ab_permission", "ab_view_menu", "ab_permission_view", "ab_permission_view_role"}
SKIP_COLUMNS = {"changed_at", "created_at", "changed_by_id", "created_by_id", "password",
                "temp_password", "last_login", "login_count", "fail_login_count",
                "changed_on", "created_on", "changed_by_fk", "created_by_fk"}


#: what the log shows instead of the value of a column a model lists in ``__audit_redact__``
REDACTED = "***"


def plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _org_id(obj):
    for attr in ("organization_id", "school_id"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    if obj.__class__.__name__ == "Organization":
        return obj.id
    return None


def _changes(obj, action: str) -> dict[str, str | list]:
    """``{column: [old, new]}``, or ``{column: REDACTED}`` for a redacted column."""
    state = inspect(obj)
    out: dict[str, str | list] = {}
    redact = getattr(obj, "__audit_redact__", ())
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIP_COLUMNS:
            continue
        if key in redact:  # sensitive data (medical, social): that it changed, not the value
            if action != "update" or state.attrs[key].history.has_changes():
                out[key] = REDACTED
            continue
        hist = state.attrs[key].history
        if action == "update":
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            out[key] = [plain(old), plain(new)]
        elif action == "create":
            out[key] = [None, plain(getattr(obj, key))]
        else:
            out[key] = [plain(getattr(obj, key)), None]
    return out


def _after_flush(session, flush_context):
    rows = []
    now = utcnow()
    user_id = current_user_id()
    for action, objs in (("create", session.new), ("update", session.dirty),
                         ("delete", session.deleted)):
        for obj in objs:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in SKIP_TABLES or isinstance(obj, (AuditRecord, LoginEvent)):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            ident = inspect(obj).identity
            rows.append({
                "at": now, "user_id": user_id, "organization_id": _org_id(obj),
                "action": action, "table_name": table,
                "record_id": ",".join(str(i) for i in ident) if ident else "",
                "changes": json.dumps(changes, ensure_ascii=False, default=str),
            })
    if rows:
        session.connection().execute(insert(AuditRecord.__table__), rows)


def register_audit_hooks(_session=None) -> None:
    """Listen on every ORM session (ours and FAB's security manager's)."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
