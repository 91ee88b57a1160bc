"""Writes for the friction report: a friction item becomes evidence on a feature.

Linking re-runs the report for the item (the numbers are the server's, never the form's),
writes them as a Feedback in words, links that feedback to the feature as an Insight (its
importance from the item's impact) and keeps a FrictionLink so the report shows the row as
linked. Feedback.source has no "analytics" choice yet: the feedback is recorded as entered by
a colleague (`manual`) — the one who linked it — with the numbers in its text.
"""

from __future__ import annotations

from django.db import transaction

from lodestar.activity.services import activity_record
from lodestar.analytics.models import FrictionKind, FrictionLink
from lodestar.analytics.queries import friction as query
from lodestar.analytics.queries.base import source_for
from lodestar.core.errors import Invalid
from lodestar.feedback.models import Importance, Source
from lodestar.feedback.services import feedback_create, insight_link
from lodestar.workspaces.models import Membership, Product
from lodestar.workspaces.permissions import require

VERBS = {
    "rage": "rage-clicked",
    "dead": "clicked with no effect on",
    "error": "hit an error clicking",
}


def _money(value: float) -> str:
    if value >= 1_000_000:
        return f"${value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"${value / 1_000:.0f}k"
    return f"${value:.0f}"


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def describe(item: dict, result: dict) -> str:
    """The item in a sentence a reader of the feature page understands without the report."""
    who = _people(item["persons"])
    if item["companies"]:
        firms = f"{item['companies']} compan{'y' if item['companies'] == 1 else 'ies'}"
        who += f" ({firms}, {_money(item['arr'])} ARR)" if item["arr"] else f" ({firms})"
    period = f"in the last {result['days']} days"
    if item["kind"] == "slow":
        worst = [
            f"{name.upper()} {value:,.0f} ms" if name != "cls" else f"CLS {value:.2f}"
            for name, value in (item.get("vitals") or {}).items()
            if value is not None and value > query.POOR[name]
        ]
        text = (
            f"{who} had a poor page experience on {item['page']} {period}: at the 75th "
            f"percentile {', '.join(worst)} (web-vitals' poor thresholds: LCP 4000 ms, "
            f"INP 500 ms, CLS 0.25)."
        )
    else:
        target = item["el_text"] or item["element"] or "an element"
        text = (
            f"{who} {VERBS[item['kind']]} '{target}' on {item['page']} {period} "
            f"({item['events']} {item['label'].lower()})."
        )
        if item["element"] and item["el_text"]:
            text += f" Element: {item['element']}."
    if item.get("lost") is not None:
        text += (
            f" {item['converted']} of them did {result['conversion']} afterwards "
            f"({item['rate_affected']:.0%}) against {item['rate_unaffected']:.0%} of "
            f"{_others(item)}: "
            f"about {item['lost']:.1f} lost conversions (95 % interval "
            f"{item['lost_low']:.1f} to {item['lost_high']:.1f})."
        )
    return text


def _others(item: dict) -> str:
    if item.get("baseline") == "page":
        return f"the page's {item['unaffected']} other visitors"
    return f"the {item['unaffected']} other active people"


def importance_for(item: dict) -> int:
    """Critical when the loss is clear (the interval is above zero), important when the
    estimate is a loss or ten people or more were hit, else nice to have."""
    if item.get("lost_low") is not None and item["lost_low"] > 0:
        return Importance.CRITICAL
    if (item.get("lost") or 0) > 0 or item["persons"] >= 10:
        return Importance.IMPORTANT
    return Importance.NICE_TO_HAVE


def friction_link(
    *,
    membership: Membership,
    product: Product,
    params: query.Params,
    kind: str,
    page: str,
    element: str = "",
    feature_key: str,
) -> FrictionLink:
    """Link one item of the report to a feature (needs analytics.manage and insight.link)."""
    require(membership, "analytics.manage")
    require(membership, "insight.link")
    workspace, actor = membership.workspace, membership.user
    if product.workspace_id != workspace.pk:
        raise Invalid("That product belongs to another workspace.")
    if kind not in FrictionKind.values:
        raise Invalid(fields={"kind": ["Unknown kind of friction."]})
    if not feature_key:
        raise Invalid(fields={"feature": ["Choose the feature this friction is evidence for."]})
    from lodestar.planning.models import Feature

    if not Feature.objects.filter(workspace=workspace, key=feature_key).exists():
        raise Invalid(fields={"feature": ["No such feature."]})
    with source_for(workspace) as src:
        result = query.run(src, params)
    item = query.find(result, kind=kind, page=page, element=element)
    if item is None:
        raise Invalid(
            fields={"item": ["This friction is not in the report for the chosen period."]}
        )
    text = describe(item, result)
    with transaction.atomic():
        feedback = feedback_create(
            workspace=workspace,
            actor=actor,
            text=text,
            source=Source.MANUAL,
            product_key=product.key,
            tags="friction",
        )
        insight = insight_link(
            feedback=feedback,
            actor=actor,
            snippet=text,
            importance=importance_for(item),
            feature_key=feature_key,
        )
        link = FrictionLink.objects.create(
            workspace=workspace,
            product=product,
            kind=kind,
            url=page[:2000],
            selector=element[:1000],
            insight=insight,
            created_by=actor,
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="linked friction to",
            target_type="feature",
            target_key=insight.feature.key,
            target_label=insight.feature.title,
            changes={"friction": [None, f"{query.KIND_LABELS[kind]} on {page} {element}"[:200]]},
        )
    return link


def links_for(product: Product) -> dict[tuple[str, str, str], list[FrictionLink]]:
    """The product's friction links by (kind, page, element), newest first."""
    found: dict[tuple[str, str, str], list[FrictionLink]] = {}
    links = (
        FrictionLink.objects.filter(product=product)
        .select_related("insight__feature")
        .order_by("-created_at", "-id")
    )
    for link in links:
        found.setdefault((link.kind, link.url, link.selector), []).append(link)
    return found
