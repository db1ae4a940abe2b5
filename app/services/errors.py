"""Typed errors raised by services.

A service validates its input and raises one of these with a translated message
that names the field and the rule. Views turn them into a flash message or form
error, APIs into a 422 response with ``{"field": ..., "message": ...}``.
"""
from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l

T = TypeVar("T")


class DomainError(Exception):
    """A business rule refused the action. ``field`` names the offending input."""

    def __init__(self, message, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:  # lazy strings are translated when shown
        return str(self.message)

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class ValidationError(DomainError):
    """Bad input: a value breaks a rule (format, range, check digit...)."""


class ConflictError(DomainError):
    """The action conflicts with existing data (duplicate, cycle, busy slot)."""


class ScopeError(DomainError):
    """The user may not touch this record."""


def require(value: T | None, field: str, label) -> T:
    """Refuse an empty value: "<label> is required" on ``field``, code ``required``.

    Returns the value, no longer ``None`` for the type checker: ``org = require(org, ...)``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(_l("%(field)s is required", field=label), field=field,
                              code="required")
    return value
