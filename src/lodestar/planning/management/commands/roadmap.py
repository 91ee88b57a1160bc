"""`lodestar roadmap export --workspace SLUG [--product KEY] --format csv|json|svg|png|ics|atom
[--output FILE]`: the roadmap's exports, the same as the page's export links (see
docs/plan-roadmap.md). Written to stdout unless --output is given; PNG needs --output or a
stdout that is not a terminal."""

from __future__ import annotations

from pathlib import Path

from django.core.management import CommandError

from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.planning.exports import FORMATS, export
from lodestar.planning.timeline import GROUPS, ZOOMS
from lodestar.planning.visibility import Visible
from lodestar.workspaces.models import Product, Workspace


def _choice(value: str, choices, what: str) -> str:
    if value not in choices:
        raise CommandError(f"Unknown {what} {value!r}: use one of {', '.join(choices)}.")
    return value


class Command(LodestarCommand):
    help = "Export the roadmap: roadmap export --workspace SLUG [--product KEY] --format F."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["export"], help="What to do (export).")
        parser.add_argument("--workspace", metavar="SLUG", required=True)
        parser.add_argument("--product", metavar="KEY", default="", help="Default: every product.")
        parser.add_argument(
            "--format", metavar="FORMAT", required=True, help=", ".join(FORMATS) + "."
        )
        parser.add_argument("--output", metavar="FILE", default="", help="Default: stdout.")
        parser.add_argument(
            "--group", metavar="BY", default="team", help="svg/png lanes: " + ", ".join(GROUPS)
        )
        parser.add_argument(
            "--zoom", metavar="Z", default="quarter", help="svg/png axis: " + ", ".join(ZOOMS)
        )
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help="Where Lodestar is served, for the links in svg, ics and atom.",
        )
        parser.add_argument(
            "--hide-internal",
            action="store_true",
            help="Leave out customers, ARR and scores (what a stakeholder sees).",
        )

    def handle(self, *args, workspace, product, format, output, group, zoom, **options) -> None:
        fmt = _choice(format, FORMATS, "format")
        _choice(group, GROUPS, "grouping")
        _choice(zoom, ZOOMS, "zoom")
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        if product:
            found = Product.objects.filter(workspace=ws, key=product).first()
            if found is None:
                raise CommandError(f"No product {product!r} in {workspace}.")
            products = [found]
        else:
            products = list(Product.objects.filter(workspace=ws).order_by("name"))
        binary = fmt == "png"
        if binary and not output and self.stdout.isatty():
            raise CommandError("PNG is binary: give --output FILE or redirect stdout to a file.")
        visible = Visible() if options["hide_internal"] else Visible.everything()
        body = export(
            fmt,
            workspace=ws,
            products=products,
            visible=visible,
            base_url=options["base_url"].rstrip("/"),
            group=group,
            zoom=zoom,
        )
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        if output:
            Path(output).write_bytes(data)
            self.stdout.write(f"Wrote {len(data):,} bytes to {output}")
            return
        if binary:
            target = getattr(self.stdout._out, "buffer", None)
            if target is None:
                raise CommandError("PNG is binary: give --output FILE.")
            target.write(data)
            target.flush()
            return
        self.stdout.write(data.decode("utf-8"), ending="" if data.endswith(b"\n") else "\n")
