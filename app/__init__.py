"""Application factory."""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import appbuilder, csrf, db, migrate


def create_app(config_object=None) -> Flask:
    from config import config_from_env

    cfg = config_object or config_from_env()
    if hasattr(cfg, "check"):
        cfg.check()
    app = Flask(__name__)
    app.config.from_object(cfg)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().setLevel(logging.INFO)

    with app.app_context():
        import app.models as _models  # noqa: F401  (complete metadata)
        db.init_app(app)
        migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                         render_as_batch=True, compare_type=True)
        csrf.init_app(app)
        appbuilder.init_app(app, db.session)
        from app.api import register_apis
        from app.api.http import register_api_policy, register_token_errors
        from app.cli import register_cli
        from app.hooks import register_request_hooks
        from app.security.audit import register_audit_hooks
        from app.views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)
        register_api_policy(app)
        register_token_errors(appbuilder.sm.jwt_manager)
        register_audit_hooks(db.session)
        register_cli(app)
        register_request_hooks(app)
    return app


def _unicode_case(fn):
    return lambda v: fn(v) if isinstance(v, str) else v


@event.listens_for(Engine, "connect")
def _sqlite_unicode_lower(dbapi_conn, _record) -> None:
    """SQLite's lower()/upper() fold ASCII only: "Серикбаева" would not match "серикбаева".
    Replace them with Python's Unicode case folding (PostgreSQL folds Unicode itself)."""
    if isinstance(dbapi_conn, sqlite3.Connection):
        dbapi_conn.create_function("lower", 1, _unicode_case(str.lower), deterministic=True)
        dbapi_conn.create_function("upper", 1, _unicode_case(str.upper), deterministic=True)
