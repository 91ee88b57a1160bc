"""The `lodestar` command: a thin front over Django management commands.

`--data-dir` is read here, before Django loads its settings, because the settings read the
environment once (LODESTAR_DATA_DIR) at import time.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "init": "Create the data directory and migrate the database.",
    "serve": "Run the production web server (gunicorn) on the data directory.",
    "demo": "Build the realistic demo workspace `acme` and serve it.",
    "createuser": "Create a user, and the workspace too when it does not exist yet.",
    "token": "Create an API token: token create --email E --workspace SLUG.",
    "import": "Import from CSV: import companies|people|feedback FILE --workspace SLUG.",
    "backup": "Write the whole installation to one archive file.",
    "restore": "Load an installation from a backup archive.",
    "similar": "Rebuild the similar-feedback index: similar rebuild --workspace SLUG | --all.",
    "score": "Rank a product's features: score --workspace SLUG --product KEY [--model KEY].",
    "roadmap": "Export the roadmap: roadmap export --workspace SLUG [--product KEY] --format F.",
    "product": "Print a product's capture key: product key --workspace SLUG --product KEY.",
    "sql": 'Run one read-only SELECT over events: sql --workspace SLUG "SELECT ...".',
    "events": "Import events (PostHog JSON lines, Parquet): events import FILE --workspace SLUG"
    " --product KEY.",
    "funnel": "Count a funnel: funnel --workspace SLUG --product KEY --steps a,b,c [--window 14d]"
    " [--format json|table].",
    "forecast": "Forecast a product's open releases: forecast --workspace SLUG --product KEY"
    " [--format json|table].",
    "experiment": "Analyse an experiment's summary numbers: experiment analyze"
    " [--format json|table] < input.json.",
}

USAGE = "usage: lodestar COMMAND [--data-dir D] [options]   (lodestar COMMAND --help for more)"


def _take_data_dir(argv: list[str]) -> tuple[str | None, list[str]]:
    """Remove `--data-dir D` from wherever it stands; return D and the rest. It is consumed
    here so that it works after subcommands too (`token create ... --data-dir D`)."""
    rest: list[str] = []
    data_dir = None
    args = iter(argv)
    for arg in args:
        if arg == "--data-dir":
            data_dir = next(args, None)
            if data_dir is None:
                sys.stderr.write("lodestar: --data-dir needs a directory\n")
                raise SystemExit(2)
        elif arg.startswith("--data-dir="):
            data_dir = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return data_dir, rest


def _help() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [USAGE, "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += [
        f"  {'manage'.ljust(width)}  Any Django management command, e.g. lodestar manage migrate.",
        "",
        "Every command takes --data-dir D (default: $LODESTAR_DATA_DIR, else ./lodestar-data).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_help())
        return
    data_dir, args = _take_data_dir(args)
    if data_dir is not None:
        os.environ["LODESTAR_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.settings")
    command = args[0]
    if command == "experiment":
        # Pure statistics on stdin: no database, so Django is not started.
        from lodestar.experiments.cli import main as experiment_main

        raise SystemExit(experiment_main(args[1:]))
    if command == "manage":
        forwarded = args[1:]
    elif command in COMMANDS:
        forwarded = args
    else:
        sys.stderr.write(f"lodestar: unknown command {command!r}\n{USAGE}\n")
        raise SystemExit(2)
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["lodestar", *forwarded])
    except BrokenPipeError:
        # The reader went away (`lodestar score --format csv | head`): not an error. Point
        # stdout at /dev/null so the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None


if __name__ == "__main__":
    main()
