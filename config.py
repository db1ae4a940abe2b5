"""Configuration classes read from the environment with safe local defaults."""
from __future__ import annotations

import os
import pathlib

BASE_DIR = pathlib.Path(__file__).resolve().parent
DEV_SECRET = "dev-only-secret-change-me"


def normalise_db_url(url: str) -> str:
    """``postgresql://`` (or ``postgres://``) with the driver we ship named: psycopg 3, whose
    server-side prepared statements save PostgreSQL planning the journal's repeated
    queries (docs/performance.md, "Journal grid")."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return normalise_db_url(url)
    instance = BASE_DIR / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'kundelik.db'}"


class Config:
    ENV_NAME = os.environ.get("KUNDELIK_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    APP_NAME = "Kundelik"
    APP_THEME = ""
    FAB_ROLES = {}
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    FAB_ADD_SECURITY_VIEWS = True
    FAB_API_SWAGGER_UI = True
    FAB_ADD_OPENAPI_VIEWS = False  # app.api.openapi serves the corrected document instead
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_UPDATE_PERMS = False
    FAB_CREATE_DB = False  # the schema comes from Alembic migrations only
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.KundelikSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.HomeView"
    FAB_BASE_TEMPLATE = "kundelik_base.html"
    RATELIMIT_ENABLED = False

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "ru")
    BABEL_DEFAULT_FOLDER = "translations"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = {
        "kk": {"flag": "kz", "name": "Қазақша"},
        "ru": {"flag": "ru", "name": "Русский"},
        "ky": {"flag": "kg", "name": "Кыргызча"},
        "en": {"flag": "gb", "name": "English"},
    }

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")  # "log" or "smtp"
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@kundelik.local")
    LOGO_MAX_BYTES = 4 * 1024 * 1024
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    @classmethod
    def check(cls) -> None:
        """Refuse to run outside development with the default secret."""
        if cls.ENV_NAME not in ("development", "testing") and cls.SECRET_KEY in ("", DEV_SECRET):
            raise RuntimeError(
                "SECRET_KEY must be set outside development (KUNDELIK_ENV=%s)" % cls.ENV_NAME
            )


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = normalise_db_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "log"


def config_from_env() -> type[Config]:
    env = os.environ.get("KUNDELIK_ENV", "development")
    return {"production": ProductionConfig, "testing": TestingConfig}.get(env, Config)
