"""Columns shared by domain models."""
from __future__ import annotations

import datetime as dt

from flask import g, has_request_context
from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def current_user_id() -> int | None:
    if has_request_context():
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user.id
    return None


class StampMixin:
    """Who created and last changed a row, and when."""

    @declared_attr
    def created_at(cls) -> Mapped[dt.datetime]:
        return mapped_column(DateTime, default=utcnow, nullable=False)

    @declared_attr
    def changed_at(cls) -> Mapped[dt.datetime]:
        return mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(Integer, ForeignKey("ab_user.id"), default=current_user_id)

    @declared_attr
    def changed_by_id(cls) -> Mapped[int | None]:
        return mapped_column(
            Integer, ForeignKey("ab_user.id"), default=current_user_id, onupdate=current_user_id
        )
