"""What the benchmarks share: an application on a database with an empty schema, and the
databases to measure (SQLite always, PostgreSQL when a URL is given)."""
from __future__ import annotations

import os


def bench_app(url: str, **settings):
    """An application on ``url`` (normalised: ``postgresql://`` means psycopg 3) with every
    table created empty, fast password hashing and ``settings`` on top of the testing
    configuration. On PostgreSQL the ``public`` schema is dropped and created again: never
    point it at a database you care about."""
    from flask_appbuilder import Model
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from config import TestingConfig, normalise_db_url

    config = type("BenchConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": normalise_db_url(url),
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **settings})
    app = create_app(config)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        Model.metadata.create_all(engine)
    return app


def database_urls(tmp: str) -> list[str]:
    """A SQLite file in ``tmp``, then BENCH_DATABASE_URL or TEST_DATABASE_URL when set."""
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    return [f"sqlite:///{tmp}/bench.db"] + ([pg] if pg else [])
