"""Template helpers of the risk register: `{{ exposure|risk_band }}` and the product page's
"Top risks" box, `{% top_risks_box product %}`."""

from __future__ import annotations

from django import template

from lodestar.delivery.risk_selectors import band, top_risks

register = template.Library()


@register.filter
def risk_band(exposure) -> str:
    """low (1-4), medium (5-9), high (10-16) or critical (20-25)."""
    try:
        return band(int(exposure))
    except (TypeError, ValueError):
        return "low"


@register.inclusion_tag("delivery/risk_top.html", takes_context=True)
def top_risks_box(context, product) -> dict:
    """The product's five active risks of highest exposure, linking to the register."""
    return {
        "product": product,
        "risks": [(r, band(r.exposure)) for r in top_risks(product, limit=5)],
        "current_workspace": context.get("current_workspace"),
        "can": context.get("can"),
    }
