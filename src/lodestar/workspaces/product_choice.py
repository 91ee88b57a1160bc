"""Which product a per-product page shows (analytics, risks, forecasts): the one place
`?product=KEY` is read."""

from __future__ import annotations

from lodestar.core.errors import Invalid
from lodestar.workspaces.access import WorkspaceRequest
from lodestar.workspaces.models import Product
from lodestar.workspaces.selectors import product_list


def chosen_product(request: WorkspaceRequest) -> tuple[list[Product], Product | None]:
    """The workspace's products and the one asked for (`product` in the query string or the
    form; 400 naming it when unknown), else the first by name (None: no product yet)."""
    products = list(product_list(workspace=request.workspace))
    key = (request.GET.get("product") or request.POST.get("product") or "").strip()
    if key:
        product = next((p for p in products if p.key == key), None)
        if product is None:
            raise Invalid(fields={"product": [f"No product with key {key!r}."]})
        return products, product
    return products, (products[0] if products else None)
