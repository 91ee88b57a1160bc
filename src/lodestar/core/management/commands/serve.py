from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import CommandError
from django.db import connections

from lodestar.core.management.base import LodestarCommand, prepare_data_dir


class Command(LodestarCommand):
    help = "Run the production server (gunicorn), after applying migrations."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Worker processes (default 2).")
        parser.add_argument("--timeout", type=int, default=60, help="Worker timeout in seconds.")

    def handle(self, *args, host: str, port: int, workers: int, timeout: int, **options) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port (1-65535).")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        prepare_data_dir()
        connections.close_all()  # never share a database connection with forked workers
        self.stdout.write(f"Lodestar is serving {settings.DATA_DIR} on http://{host}:{port}/")
        self.stdout.flush()
        run_gunicorn(host=host, port=port, workers=workers, timeout=timeout)


def run_gunicorn(*, host: str, port: int, workers: int, timeout: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "timeout": timeout,
                "graceful_timeout": 10,
                "accesslog": None,  # the app logs each request as JSON with its request id
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "lodestar",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from lodestar.wsgi import application

            return application

    Server().run()
