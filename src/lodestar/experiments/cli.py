"""`lodestar experiment analyze [--format json|table] < input.json`: the experiment
statistics on summary numbers from elsewhere (the schema is in stats/analyze.py and
docs/experiments-statistics.md). Pure statistics: no database, no data directory, so
lodestar.cli runs it without starting Django. Bad JSON or bad input: a message naming the
problem on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from lodestar.core.errors import Invalid
from lodestar.experiments.stats.arms import SRM_THRESHOLD

EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lodestar experiment",
        description="Experiment statistics on summary numbers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    analyze = commands.add_parser(
        "analyze",
        help="Analyse per-arm summary statistics read as JSON from stdin.",
        description=(
            'Reads {"metric": "binomial"|"mean", "engine": "frequentist"|"bayesian", '
            '"sequential": false, "alpha": 0.05, "arms": [{"name", "n", "sum", '
            '"sum_squares"}, ...], "planned_split": [0.5, 0.5], "difference": '
            '"relative"|"absolute"} from stdin; the first arm is the control.'
        ),
    )
    analyze.add_argument("--format", choices=["json", "table"], default="table")
    return parser


def _percent(value: float | None, relative: bool) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.2f}%" if relative else f"{value:+.4g}"


def _loss(value: float | None, relative: bool) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.2f}%" if relative else f"{value:.4g}"


def _table(result: dict[str, Any], data: dict[str, Any], out: TextIO) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    relative = data.get("difference", "relative") == "relative"
    bayesian = data.get("engine", "frequentist") == "bayesian"
    console = Console(file=out, highlight=False, width=160)
    srm = result["srm_p_value"]
    if srm is not None and srm < SRM_THRESHOLD:
        console.print(
            f"[bold]Sample-ratio mismatch[/bold] (p = {srm:.2g}): the exposures are not split as "
            "planned. Find the cause before reading the results."
        )
    else:
        console.print(f"Sample ratio: p = {srm:.3g} (no mismatch)")
    control = data["arms"][0]["name"]
    table = Table(title=f"Each variant against the control '{escape(str(control))}'")
    columns = ["arm", "lift", f"interval ({(1 - data.get('alpha', 0.05)) * 100:g}%)"]
    columns += ["chance to win", "risk"] if bayesian else ["p-value"]
    columns += ["problem"]
    for name in columns:
        table.add_column(name, justify="left" if name in ("arm", "problem") else "right")
    for arm in result["arms"]:
        ci = arm["ci"]
        interval = (
            f"{_percent(ci[0], relative)} to {_percent(ci[1], relative)}" if ci is not None else "-"
        )
        row = [escape(str(arm["name"])), _percent(arm["lift"], relative), interval]
        if bayesian:
            ctw = arm["chance_to_win"]
            row += [
                f"{ctw * 100:.1f}%" if ctw is not None else "-",
                _loss(arm["risk"], relative),
            ]
        else:
            p = arm["p_value"]
            row += [f"{p:.4f}" if p is not None else "-"]
        row += [escape(arm.get("problem", ""))]
        table.add_row(*row)
    console.print(table)


def analyze(format: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from lodestar.experiments.stats.analyze import analyze_json

    text = stdin.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        stderr.write(f"lodestar experiment analyze: the input is not JSON: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        result = analyze_json(data)
    except Invalid as exc:
        stderr.write(f"lodestar experiment analyze: {exc.message}\n")
        return EXIT_BAD_INPUT
    if format == "json":
        stdout.write(json.dumps(result, indent=2, allow_nan=False) + "\n")
    else:
        _table(result, data, stdout)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "analyze":
        return analyze(args.format, sys.stdin, sys.stdout, sys.stderr)
    return EXIT_BAD_INPUT  # pragma: no cover - argparse requires a command
