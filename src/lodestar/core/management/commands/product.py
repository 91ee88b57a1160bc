from __future__ import annotations

from django.core.management import CommandError

from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.workspaces.models import Product, Workspace


class Command(LodestarCommand):
    help = "Products. `product key --workspace SLUG --product KEY` prints its capture key."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        key = sub.add_parser(
            "key",
            help="Print the product's project API key (public, write-only): the key the "
            "PostHog and Segment SDKs and the capture snippet send events with.",
        )
        key.add_argument("--workspace", required=True, metavar="SLUG")
        key.add_argument("--product", required=True, metavar="KEY")

    def handle(self, *args, action: str, workspace: str, product: str, **options) -> None:
        prepare_data_dir()
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        found = Product.objects.filter(workspace=ws, key=product.strip().lower()).first()
        if found is None:
            keys = ", ".join(ws.products.order_by("key").values_list("key", flat=True)) or "none"
            raise CommandError(f"No product {product!r} in {workspace}; its products: {keys}.")
        self.stdout.write(found.write_key)
