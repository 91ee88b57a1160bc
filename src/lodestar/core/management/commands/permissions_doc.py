from pathlib import Path

from django.core.management import CommandError

from lodestar.core.management.base import LodestarCommand
from lodestar.core.routes import routes_markdown
from lodestar.workspaces.permissions import matrix_markdown

BEGIN_MATRIX, END_MATRIX = "<!-- matrix:begin -->", "<!-- matrix:end -->"
BEGIN_ROUTES, END_ROUTES = "<!-- routes:begin -->", "<!-- routes:end -->"


def render(document: str) -> str:
    """`document` with its generated sections replaced by the current matrix and routes."""
    for begin, end, body in (
        (BEGIN_MATRIX, END_MATRIX, matrix_markdown()),
        (BEGIN_ROUTES, END_ROUTES, routes_markdown()),
    ):
        head, sep, rest = document.partition(begin)
        _old, sep2, tail = rest.partition(end)
        if not sep or not sep2:
            raise CommandError(f"docs/permissions.md lacks the {begin} ... {end} markers")
        document = f"{head}{begin}\n{body}\n{end}{tail}"
    return document


class Command(LodestarCommand):
    help = "Regenerate the role matrix and URL table in docs/permissions.md."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", default="docs/permissions.md")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        path.write_text(render(path.read_text()))
        self.stdout.write(f"Updated {path}")
