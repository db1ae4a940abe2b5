"""One user action, one transaction: the command commits or rolls back as a whole.

A write command (a service function that changes data) runs inside :func:`unit_of_work`,
usually through the :func:`command` decorator. The outermost unit commits when the command
returns and rolls back when it raises; a command called from another command joins the
caller's unit, so the action still commits once. Views and REST resources never commit:
they load, call the command and map its error.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, TypeVar

from app.extensions import db

_depth: ContextVar[int] = ContextVar("kundelik_unit_of_work_depth", default=0)
T = TypeVar("T")


@contextmanager
def unit_of_work() -> Iterator[None]:
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _depth.reset(token)


def command(fn: Callable[..., T]) -> Callable[..., T]:
    """Run ``fn`` as one unit of work (see the module's text)."""

    @functools.wraps(fn)
    def run(*args, **kwargs) -> T:
        with unit_of_work():
            return fn(*args, **kwargs)

    return run
