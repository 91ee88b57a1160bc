"""Documentation that must not drift from the code."""

import re
from pathlib import Path

from lodestar import config
from lodestar.core.management.commands.permissions_doc import render

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "lodestar"


def test_readme_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))
    known = {v.name for v in config.VARIABLES}
    assert documented == known, (
        f"undocumented: {sorted(known - documented)}; stale: {sorted(documented - known)}"
    )
    for variable in config.VARIABLES:
        row = next(line for line in section.splitlines() if line.startswith(f"| `{variable.name}`"))
        assert f"`{variable.default}`" in row or (variable.default == "" and "(empty)" in row), (
            f"README gives the wrong default for {variable.name}"
        )


def test_readme_starts_with_the_two_commands():
    first_lines = "\n".join((ROOT / "README.md").read_text().splitlines()[:12])
    assert "make demo" in first_lines and "make test" in first_lines


def test_readme_documents_every_cli_command():
    from lodestar.cli import COMMANDS

    readme = (ROOT / "README.md").read_text()
    for name in COMMANDS:
        assert f"lodestar {name}" in readme, f"README lacks the CLI command {name}"


def test_permissions_doc_is_current(db):
    path = ROOT / "docs" / "permissions.md"
    current = path.read_text()
    assert render(current) == current, "run `lodestar manage permissions_doc` and commit"


def test_views_never_fetch_objects_without_the_workspace():
    """STYLE.md: objects are fetched through selectors that check the workspace, never by a
    bare Model.objects.get(...) in a view or API handler."""
    offenders = []
    pattern = re.compile(r"\b[A-Z]\w*\.objects\.(get|filter|all|get_or_create)\(")
    for path in [*SRC.glob("*/views/*.py"), *SRC.glob("*/views.py"), *SRC.glob("*/api.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
