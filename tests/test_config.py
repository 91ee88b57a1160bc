"""Settings read the environment once and stop start-up naming a bad variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from lodestar import config


def test_defaults_make_the_embedded_setup_work(tmp_path):
    values = config.read({"LODESTAR_DATA_DIR": str(tmp_path)})
    db = config.database_settings(values["DATABASE_URL"], tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == tmp_path / "lodestar.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert values["LODESTAR_EMAIL_URL"]["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LODESTAR_DEBUG", "maybe"),
        ("LODESTAR_MAX_BODY_BYTES", "-5"),
        ("LODESTAR_MAX_BODY_BYTES", "lots"),
        ("LODESTAR_LOG_LEVEL", "LOUD"),
        ("LODESTAR_EMAIL_URL", "pigeon://coop"),
        ("LODESTAR_EMAIL_URL", "smtp://"),
    ],
)
def test_an_invalid_value_names_the_variable(name, value):
    with pytest.raises(config.ConfigError, match=name):
        config.read({name: value})


def test_database_url_must_be_postgres_or_sqlite(tmp_path):
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        config.database_settings("mysql://u:p@h/db", tmp_path)
    parsed = config.database_settings("postgres://u:p@db.internal:6543/lode", tmp_path)
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == ("db.internal", 6543, "lode")


def test_smtp_url_is_parsed():
    mail = config.read({"LODESTAR_EMAIL_URL": "smtp://bot%40acme.test:s3cret@mail.acme.test:2525"})[
        "LODESTAR_EMAIL_URL"
    ]
    assert mail["EMAIL_HOST"] == "mail.acme.test" and mail["EMAIL_PORT"] == 2525
    assert mail["EMAIL_HOST_USER"] == "bot@acme.test" and mail["EMAIL_USE_TLS"] is True


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = config.secret_key("", tmp_path)
    assert len(first) >= 50
    assert config.secret_key("", tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(config.ConfigError, match="LODESTAR_SECRET_KEY"):
        config.secret_key("short", tmp_path)


def test_start_up_stops_on_an_invalid_variable(tmp_path):
    env = {**os.environ, "LODESTAR_DATA_DIR": str(tmp_path), "LODESTAR_MAX_BODY_BYTES": "big"}
    result = subprocess.run(
        [sys.executable, "-m", "lodestar.cli", "init"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "LODESTAR_MAX_BODY_BYTES" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_hashes_passwords_with_argon2():
    # tests/conftest.py swaps in a fast hasher per test; the configured one is Argon2.
    from lodestar import settings as lodestar_settings

    assert lodestar_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sessions_are_secure_by_default():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_data_dir_is_absolute():
    assert Path(settings.DATA_DIR).is_absolute()
