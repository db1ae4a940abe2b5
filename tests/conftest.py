"""Test fixtures: one app per session, a clean database and a small network per test.

The suite runs on SQLite (in memory) and, with TEST_DATABASE_URL, on PostgreSQL.
"""
from __future__ import annotations

import itertools
import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

os.environ.setdefault("KUNDELIK_ENV", "testing")

from app import create_app  # noqa: E402
from app.extensions import db as _db  # noqa: E402
from config import TestingConfig, normalise_db_url  # noqa: E402
from tests import factories  # noqa: E402

ROLE_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "ab_role",
               "ab_permission_view_role"}


class _Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = normalise_db_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    SQLALCHEMY_ENGINE_OPTIONS = (
        {"connect_args": {"check_same_thread": False},
         "poolclass": __import__("sqlalchemy.pool", fromlist=["StaticPool"]).StaticPool}
        if SQLALCHEMY_DATABASE_URI.startswith("sqlite") else {}
    )
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    BABEL_DEFAULT_LOCALE = "en"  # tests assert English source texts unless they pick a language


class _FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production (own ``g``, own session),
    even though the test itself holds an app context open."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = create_app(_Config)
    app.test_client_class = _FreshContextClient
    with app.app_context():
        from flask_appbuilder import Model

        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        Model.metadata.create_all(engine)
        from app.security.roles import sync_roles
        from app.views import MENUS

        sync_roles(app.appbuilder, MENUS)
    yield app


def _wipe(app):
    from flask_appbuilder import Model

    _db.session.remove()
    tables = [t for t in reversed(Model.metadata.sorted_tables) if t.name not in ROLE_TABLES]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())


@pytest.fixture()
def db(app):
    """A clean database (roles and permissions kept) inside an app context."""
    with app.app_context():
        _wipe(app)
        # identifiers need only be unique within one test (the tables are wiped): restart
        # the factories' IIN serials, else a long suite runs out of serials for one birth date
        factories._serial = itertools.count(1)
        yield _db
        _db.session.remove()


@pytest.fixture()
def net(db):
    """The small test network of ``tests.factories.build_network``."""
    return factories.build_network()


@pytest.fixture()
def login(app):
    """``login(username)`` gives a test client logged in through the real login form."""
    clients = []

    def _login(username: str, password: str = factories.PASSWORD):
        client = app.test_client()
        resp = client.post("/login/", data={"username": username, "password": password})
        assert resp.status_code in (302, 200)
        clients.append(client)
        return client

    yield _login


@pytest.fixture()
def api_token(app):
    """``api_token(username)`` gives an Authorization header from the JWT login."""

    def _token(username: str, password: str = factories.PASSWORD):
        client = app.test_client()
        resp = client.post("/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db", "refresh": True})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return {"Authorization": f"Bearer {resp.json['access_token']}"}

    return _token


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _on(self, conn, cursor, statement, params, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture()
def count_queries(db):
    return lambda: QueryCounter(db.engine)
