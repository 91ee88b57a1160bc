"""The `lodestar` command, run as a user runs it: a subprocess on a fresh data dir.

On PostgreSQL (DATABASE_URL set) each test gets a database of its own, dropped afterwards,
so the commands never touch the database pytest-django is using.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

LODESTAR = [sys.executable, "-m", "lodestar.cli"]


@pytest.fixture
def cli(tmp_path):
    """run(*args, data_dir=...) -> CompletedProcess, on a private data dir and database."""
    base_url = os.environ.get("DATABASE_URL", "")
    databases: list[str] = []

    def new_database() -> str:
        if not base_url.startswith("postgres"):
            return ""
        import psycopg

        name = f"lodestar_cli_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(base_url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        databases.append(name)
        return urlunsplit(parts._replace(path=f"/{name}"))

    urls: dict[str, str] = {}

    def run(*args: str, data_dir: Path | None = None, check: bool = True, timeout: int = 120):
        data_dir = data_dir or tmp_path / "data"
        key = str(data_dir)
        if key not in urls:
            urls[key] = new_database()
        env = {**os.environ, "LODESTAR_LOG_LEVEL": "WARNING", "DATABASE_URL": urls[key]}
        env.pop("LODESTAR_DATA_DIR", None)
        result = subprocess.run(
            [*LODESTAR, *args, "--data-dir", str(data_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"lodestar {' '.join(args)} failed:\n{result.stderr}")
        return result

    run.url_for = urls  # type: ignore[attr-defined]
    yield run
    if databases:
        import psycopg

        parts = urlsplit(base_url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as c:
            for name in databases:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(cli, data_dir: Path, code: str) -> str:
    """Run Python inside the installation (Django set up) and return what it prints."""
    out = cli("manage", "shell", "--no-imports", "-c", code, data_dir=data_dir).stdout
    return out.strip().splitlines()[-1]


def test_help_lists_the_commands():
    result = subprocess.run([*LODESTAR, "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "serve", "demo", "createuser", "token", "backup", "restore"):
        assert f"  {command}" in result.stdout


def test_unknown_command_is_a_clear_error():
    result = subprocess.run([*LODESTAR, "launch"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown command 'launch'" in result.stderr


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    # `lodestar score --format csv | head`: the pipe closes while the command still writes.
    env = {**os.environ, "LODESTAR_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    code = "for i in range(200000): print(i)"
    with subprocess.Popen(
        [*LODESTAR, "manage", "shell", "--no-imports", "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline() == b"0\n"
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_init_creates_the_data_dir(cli, tmp_path):
    result = cli("init")
    assert "ready" in result.stdout
    assert (tmp_path / "data" / "secret_key").exists()
    if not os.environ.get("DATABASE_URL"):
        assert (tmp_path / "data" / "lodestar.sqlite3").exists()


def test_createuser_makes_the_workspace_and_token_works(cli, tmp_path):
    cli(
        "createuser",
        "--email",
        "Ana@Example.com",
        "--password",
        "a-long-passphrase-9",
        "--workspace",
        "northwind",
    )
    cli(
        "createuser",
        "--email",
        "ben@example.com",
        "--password",
        "a-long-passphrase-9",
        "--workspace",
        "northwind",
        "--role",
        "stakeholder",
    )
    token = cli("token", "create", "--email", "ana@example.com", "--workspace", "northwind")
    secret = token.stdout.strip()
    assert secret.startswith("lds_")
    roles = query(
        cli,
        tmp_path / "data",
        "from django.test import Client; import json;"
        f"c = Client(headers={{'Authorization': 'Bearer {secret}'}});"
        "print(json.dumps(c.get('/api/v1/workspaces/northwind/members').json()))",
    )
    members = json.loads(roles)["items"]
    assert {(m["email"], m["role"]) for m in members} == {
        ("ana@example.com", "owner"),
        ("ben@example.com", "stakeholder"),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.com", "--password", "short"], "password"),
        (["--email", "nope", "--password", "a-long-passphrase-9"], "email"),
        (
            ["--email", "x@example.com", "--password", "a-long-passphrase-9", "--role", "admin"],
            "--role needs --workspace",
        ),
        (
            [
                "--email",
                "x@example.com",
                "--password",
                "a-long-passphrase-9",
                "--workspace",
                "new",
                "--role",
                "stakeholder",
            ],
            "first member becomes its owner",
        ),
        (
            [
                "--email",
                "x@example.com",
                "--password",
                "a-long-passphrase-9",
                "--workspace",
                "new",
                "--role",
                "king",
            ],
            "invalid choice",
        ),
    ],
)
def test_createuser_mistakes_are_reported_without_traceback(cli, args, message):
    result = cli("createuser", *args, check=False)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr


def test_createuser_twice_is_refused_and_nothing_half_created(cli, tmp_path):
    cli("createuser", "--email", "x@example.com", "--password", "a-long-passphrase-9")
    again = cli(
        "createuser",
        "--email",
        "x@example.com",
        "--password",
        "a-long-passphrase-9",
        "--workspace",
        "fresh",
        check=False,
    )
    assert again.returncode != 0 and "exists" in again.stderr
    count = query(
        cli,
        tmp_path / "data",
        "from lodestar.workspaces.models import Workspace; print(Workspace.objects.count())",
    )
    assert count == "0"


def test_token_create_errors(cli):
    cli(
        "createuser",
        "--email",
        "x@example.com",
        "--password",
        "a-long-passphrase-9",
        "--workspace",
        "one",
    )
    missing = cli(
        "token", "create", "--email", "nobody@example.com", "--workspace", "one", check=False
    )
    assert missing.returncode != 0 and "No user" in missing.stderr
    nows = cli("token", "create", "--email", "x@example.com", "--workspace", "two", check=False)
    assert nows.returncode != 0 and "No workspace" in nows.stderr


def test_demo_is_deterministic_for_a_seed(cli, tmp_path):
    first = cli("demo", "--no-serve", "--seed", "3").stdout
    second = cli("demo", "--no-serve", "--seed", "3").stdout  # rebuilds over the first
    other = cli("demo", "--no-serve", "--seed", "4", data_dir=tmp_path / "other").stdout
    assert "dana@acme.example" in first and "stakeholder" in first
    assert first == second
    assert first != other
    counts = query(
        cli,
        tmp_path / "data",
        "from lodestar.workspaces.models import *; w = Workspace.objects.get(slug='acme');"
        "print(w.products.count(), w.memberships.count(), w.teams.count(),"
        " sorted(set(w.memberships.values_list('role', flat=True))))",
    )
    assert counts.startswith("2 20 5 ")
    for role in ("owner", "admin", "product_manager", "product_owner", "contributor"):
        assert role in counts


def test_demo_login_works(cli, tmp_path):
    out = cli("demo", "--no-serve").stdout
    row = next(line for line in out.splitlines() if "priya@acme.example" in line)
    password = [cell.strip() for cell in row.split("│") if cell.strip()][-1]
    ok = query(
        cli,
        tmp_path / "data",
        "from django.test import Client; c = Client();"
        f"print(c.login(email='priya@acme.example', password='{password}'))",
    )
    assert ok == "True"


def test_backup_and_restore_round_trip(cli, tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    cli("demo", "--no-serve", data_dir=source)
    (source / "uploads" / "logo.png").write_bytes(b"\x89PNG fake but bytes")
    archive = tmp_path / "acme.tar.gz"
    cli("backup", str(archive), data_dir=source)
    assert archive.stat().st_size > 1000
    refused = cli("backup", str(archive), data_dir=source, check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr

    result = cli("restore", str(archive), data_dir=target)
    assert "Restored" in result.stdout
    snapshot = (
        "from lodestar.workspaces.models import *; from lodestar.activity.models import Entry;"
        "w = Workspace.objects.get(slug='acme');"
        "print(w.name, w.memberships.count(), w.teams.count(), Entry.objects.count(),"
        " sorted(t.name for t in w.teams.all())[:2])"
    )
    assert query(cli, target, snapshot) == query(cli, source, snapshot)
    events = (
        "from lodestar.analytics.queries.base import source_for;"
        "from lodestar.workspaces.models import Workspace;"
        "src = source_for(Workspace.objects.get(slug='acme'));"
        "print(src.query('SELECT count(*), count(DISTINCT person_id) FROM events').rows)"
    )
    assert query(cli, target, events) == query(cli, source, events) != "[(0, 0)]"
    assert (target / "uploads" / "logo.png").read_bytes() == b"\x89PNG fake but bytes"
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()

    again = cli("restore", str(archive), data_dir=target, check=False)
    assert again.returncode != 0 and "--force" in again.stderr
    cli("restore", str(archive), "--force", data_dir=target)
    assert query(cli, target, snapshot) == query(cli, source, snapshot)


def test_restore_refuses_a_file_that_is_not_a_backup(cli, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_text("this is not an archive")
    result = cli("restore", str(junk), check=False)
    assert result.returncode != 0
    assert "not a Lodestar backup" in result.stderr and "Traceback" not in result.stderr
    missing = cli("restore", str(tmp_path / "nope.tar.gz"), check=False)
    assert missing.returncode != 0 and "not a file" in missing.stderr


def test_serve_rejects_bad_options(cli):
    result = cli("serve", "--port", "70000", check=False)
    assert result.returncode != 0 and "not a TCP port" in result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_several_workers_and_stops_cleanly_on_ctrl_c(cli, tmp_path):
    """`lodestar serve --workers 2` on the embedded defaults: concurrent sign-ups and reads
    succeed, and SIGINT (Ctrl-C) stops master and workers with exit code 0."""
    import signal
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    cli("init")
    port = _free_port()
    env = {**os.environ, "LODESTAR_LOG_LEVEL": "WARNING", "DATABASE_URL": cli.url_for.get(
        str(tmp_path / "data"), "")}  # fmt: skip
    env.pop("LODESTAR_DATA_DIR", None)
    server = subprocess.Popen(
        [*LODESTAR, "serve", "--port", str(port), "--workers", "2",
         "--data-dir", str(tmp_path / "data")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stderr.read()) from None
                import time

                time.sleep(0.05)

        def status(path: str) -> int:
            try:
                return urllib.request.urlopen(base + path, timeout=10).status
            except urllib.error.HTTPError as exc:
                return exc.code

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(status, ["/healthz", "/accounts/login/"] * 20))
        assert set(results) == {200}
        assert status("/static/lodestar/app.css") == 200
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
    assert code == 0
