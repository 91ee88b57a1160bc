"""Writes for features."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from lodestar.activity.services import activity_record, record_delete
from lodestar.core.errors import Invalid

# The one parser of typed amounts (company ARR uses it too); below 1e12, the models' limit.
from lodestar.customers.services import _money as parse_amount
from lodestar.planning.models import (
    Confidence,
    EffortUnit,
    Feature,
    FeatureStatus,
    Horizon,
    ImpactUnit,
)
from lodestar.workspaces.models import Membership, Product, Team, Workspace

MAX_PARENT_DEPTH = 20
MAX_IMPACT = Decimal("10000000000")
NEW_REVENUE = ("new_revenue_low", "new_revenue", "new_revenue_high")


def _decimal(raw) -> Decimal | None:
    """A number from a form or JSON; None for blank; NaN for what is not a number."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return Decimal(str(raw).strip())
    except InvalidOperation:
        return Decimal("NaN")


def _money(errors: dict, values: dict, data: dict, name: str) -> None:
    """An amount read like a company's ARR: 50000, "50,000", "50k", "1.2M"; blank clears."""
    if name not in data:
        return
    raw = data[name]
    if raw is None or str(raw).strip() == "":
        values[name] = None
        return
    try:
        values[name] = parse_amount(raw)  # 0 <= amount < 1e12, in cents
    except ValueError:
        errors[name] = ["Use an amount from 0 to 999,999,999,999, like 50000, 50k or 1.2M."]


def _new_revenue(errors: dict, values: dict, data: dict, feature: Feature | None) -> None:
    """Low <= expected <= high, checked on the values after the change (a PATCH may send one).
    A low or high needs the expected value between them."""
    for name in NEW_REVENUE:
        _money(errors, values, data, name)
    if not set(NEW_REVENUE) & set(data) or set(NEW_REVENUE) & set(errors):
        return
    low, expected, high = (
        values[n] if n in values else getattr(feature, n, None) for n in NEW_REVENUE
    )
    if expected is None and (low is not None or high is not None):
        errors["new_revenue"] = ["Enter the expected new revenue too: low and high surround it."]
    if low is not None and expected is not None and low > expected:
        errors["new_revenue_low"] = [
            f"The low estimate ({low:,.0f}) is above the expected new revenue ({expected:,.0f})."
        ]
    if high is not None and expected is not None and high < expected:
        errors["new_revenue_high"] = [
            f"The high estimate ({high:,.0f}) is below the expected new revenue ({expected:,.0f})."
        ]


def _impact(errors: dict, values: dict, data: dict, feature: Feature | None) -> None:
    """The predicted impact: a metric, the expected change (negative for a drop) and its unit."""
    if "impact_metric" in data:
        metric = " ".join(str(data["impact_metric"] or "").split())
        if len(metric) > 120 or "\x00" in metric:
            errors["impact_metric"] = ["Use at most 120 characters, no null characters."]
        values["impact_metric"] = metric
    if "impact_change" in data:
        change = _decimal(data["impact_change"])
        if change is not None and (not change.is_finite() or abs(change) >= MAX_IMPACT):
            errors["impact_change"] = ["Use a number such as 15 or -20 (below 10,000,000,000)."]
        else:
            values["impact_change"] = None if change is None else change.quantize(Decimal("0.01"))
    _choice(errors, values, data, "impact_unit", ImpactUnit, blank=False)
    if "impact_metric" in errors or "impact_change" in errors:
        return
    metric = values.get("impact_metric", getattr(feature, "impact_metric", ""))
    change = values.get("impact_change", getattr(feature, "impact_change", None))
    if change is not None and not metric:
        errors["impact_metric"] = ["Name the metric the expected change is for."]


def _choice(errors: dict, values: dict, data: dict, name: str, choices, blank: bool) -> None:
    if name in data and data[name] is not None:
        value = str(data[name])
        if not (blank and value == "") and value not in choices.values:
            errors[name] = [f"Use one of {', '.join(choices.values)}."]
        values[name] = value


def _parent(workspace: Workspace, feature: Feature | None, key: str, errors: dict):
    if not key:
        return None
    parent = Feature.objects.filter(workspace=workspace, key=key).first()
    if parent is None:
        errors["parent_key"] = [f"No feature with key {key!r}."]
        return None
    node: Feature | None = parent
    depth = 0
    while node is not None and depth <= MAX_PARENT_DEPTH:
        if feature is not None and node.pk == feature.pk:
            errors["parent_key"] = ["A feature cannot sit under itself or its own children."]
            return None
        node = node.parent if node.parent_id else None
        depth += 1
    return parent


def _values(workspace: Workspace, data: dict, feature: Feature | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if "title" in data:
        title = " ".join(str(data["title"] or "").split())
        if not title:
            errors["title"] = ["A feature needs a title."]
        elif len(title) > 200 or "\x00" in title:
            errors["title"] = ["Use at most 200 characters, no null characters."]
        values["title"] = title
    if "description" in data:
        description = str(data["description"] or "").strip()
        if len(description) > 10_000 or "\x00" in description:
            errors["description"] = ["Use at most 10,000 characters, no null characters."]
        values["description"] = description
    if "status" in data and data["status"] is not None:
        if data["status"] not in FeatureStatus.values:
            errors["status"] = [f"Use one of {', '.join(FeatureStatus.values)}."]
        values["status"] = data["status"]
    if "product_key" in data:
        key = str(data["product_key"] or "")
        product = Product.objects.filter(workspace=workspace, key=key).first() if key else None
        if key and product is None:
            errors["product_key"] = [f"No product with key {key!r}."]
        values["product"] = product
    _choice(errors, values, data, "horizon", Horizon, blank=True)
    _choice(errors, values, data, "effort_unit", EffortUnit, blank=False)
    _choice(errors, values, data, "effort_confidence", Confidence, blank=False)
    if "parent_key" in data:
        values["parent"] = _parent(workspace, feature, str(data["parent_key"] or ""), errors)
    if "owner_key" in data:
        key = str(data["owner_key"] or "")
        owner = Membership.objects.filter(workspace=workspace, key=key).first() if key else None
        if key and owner is None:
            errors["owner_key"] = [f"No member with key {key!r}."]
        values["owner"] = owner
    if "team_key" in data:
        key = str(data["team_key"] or "")
        team = Team.objects.filter(workspace=workspace, key=key).first() if key else None
        if key and team is None:
            errors["team_key"] = [f"No team with key {key!r}."]
        values["team"] = team
    if "effort" in data:
        raw = data["effort"]
        if raw is None or str(raw).strip() == "":
            values["effort"] = None
        else:
            try:
                effort = Decimal(str(raw).strip())
            except InvalidOperation:
                effort = Decimal("NaN")
            if not effort.is_finite() or effort < 0 or effort >= 1_000_000:
                errors["effort"] = ["Use a number from 0 to 999,999 (points or weeks)."]
            else:
                values["effort"] = effort.quantize(Decimal("0.01"))
    _new_revenue(errors, values, data, feature)
    _impact(errors, values, data, feature)
    if "tags" in data:
        tags = [" ".join(t.split()) for t in str(data["tags"] or "").split(",")]
        joined = ", ".join(dict.fromkeys(t for t in tags if t))
        if len(joined) > 300 or "\x00" in joined:
            errors["tags"] = ["Use at most 300 characters of comma-separated tags."]
        values["tags"] = joined
    if errors:
        raise Invalid(fields=errors)
    return values


def _title_free(workspace: Workspace, title: str, exclude_pk=None) -> None:
    clash = Feature.objects.filter(workspace=workspace, title__iexact=title)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Invalid(fields={"title": [f"A feature called {title!r} exists."]})


def feature_create(*, workspace: Workspace, actor, title: str, **data) -> Feature:
    values = _values(workspace, {"title": title, **data})
    with transaction.atomic():
        _title_free(workspace, values["title"])
        feature = Feature.objects.create(workspace=workspace, created_by=actor, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="feature",
            target_key=feature.key,
            target_label=feature.title,
        )
    return feature


def feature_update(*, feature: Feature, actor, version: int | None = None, **data) -> Feature:
    """Change some of a feature's fields. `release_key` ("" for none) must name a release of
    the feature's product (after the change). `version`: the version the form was shown; a
    stale one raises EditConflict. Saved through release_services.feature_save, the one
    path that records roadmap changes (horizon, status, release)."""
    from lodestar.planning.release_services import feature_save, release_for_feature

    values = _values(feature.workspace, data, feature)
    if "title" in values:
        _title_free(feature.workspace, values["title"], exclude_pk=feature.pk)
    product = values.get("product", feature.product)
    if "release_key" in data and data["release_key"] is not None:
        values["release"] = release_for_feature(feature, str(data["release_key"]), product=product)
    elif feature.release is not None and product != feature.release.product:
        raise Invalid(
            fields={
                "product_key": [
                    f"It is in {feature.release.name}, a release of "
                    f"{feature.release.product.name}: take it out of the release first."
                ]
            }
        )
    with transaction.atomic():
        changes = feature_save(feature, actor=actor, values=values, version=version)
        if feature.product is not None and {"effort", "product"} & set(changes):
            from lodestar.planning.scoring_services import scores_record

            scores_record(product=feature.product, features=[feature])
    return feature


def feature_delete(*, feature: Feature, actor) -> None:
    with transaction.atomic():
        record_delete(feature, actor=actor, target_type="feature")
