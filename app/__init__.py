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
        from app.security.audit import register_audit_hooks
        from app.views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)
        register_api_policy(app)
        register_token_errors(appbuilder.sm.jwt_manager)
        register_audit_hooks(db.session)
        register_cli(app)
        _register_request_hooks(app)
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


def _register_request_hooks(app: Flask) -> None:
    from app.i18n import remember_locale
    from app.security.password import force_password_change

    @app.before_request
    def _fresh_request_caches():
        # per-request caches live on ``g``; when an app context outlives one request
        # (tests, CLI), start each request afresh
        from flask_babel import refresh

        from app.security.scopes import reset_scope

        refresh()
        reset_scope()

    app.before_request(remember_locale)
    app.before_request(force_password_change)

    @app.errorhandler(403)
    def _forbidden(err):
        """A page in the product's layout (FAB aborts with Werkzeug's bare English page)."""
        from flask import jsonify, render_template, request

        if request.path.startswith("/api/"):
            return jsonify(message=str(err.description or "Forbidden")), 403
        return render_template("forbidden.html", appbuilder=app.appbuilder,
                               base_template=app.appbuilder.base_template), 403

    @app.context_processor
    def _inject():
        from app.i18n import current_locale

        return {"current_locale": current_locale()}
