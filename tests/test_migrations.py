"""Alembic: one head, and an empty database migrated to head equals the models' schema."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def test_single_head():
    """Does the migration history have exactly one head?"""
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1


def _upgrade(url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(DATABASE_URL=url, KUNDELIK_ENV="development", FLASK_APP="run")
    flask = Path(sys.executable).with_name("flask")
    res = subprocess.run([str(flask), "db", "upgrade"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]


def _diff(url: str) -> list:
    from flask_appbuilder import Model

    import app.models  # noqa: F401

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(mc, Model.metadata)
    finally:
        engine.dispose()


def test_upgrade_sqlite_matches_models(tmp_path):
    """Does `flask db upgrade` on an empty SQLite database give the models' schema?"""
    url = f"sqlite:///{tmp_path / 'mig.db'}"
    _upgrade(url)
    assert _diff(url) == []


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL: set TEST_DATABASE_URL")
def test_upgrade_postgresql_matches_models():
    """Does `flask db upgrade` on an empty PostgreSQL database give the models' schema?"""
    from config import normalise_db_url

    base = make_url(normalise_db_url(os.environ["TEST_DATABASE_URL"]))
    name = f"{base.database}_mig_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        _upgrade(url)
        assert _diff(url) == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
