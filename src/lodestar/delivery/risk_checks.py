"""The risk register's input checks, shared by risks and issues (risk_services,
issue_services): text fields, 1..5 scales, members, linked objects, review dates, and how a
field's value reads in the history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from lodestar.core.errors import Invalid
from lodestar.delivery.models import MAX_TEXT, RiskCategory, RiskStatus
from lodestar.delivery.risk_selectors import IMPACT_LABELS, LIKELIHOOD_LABELS
from lodestar.planning.models import Feature
from lodestar.planning.roadmap_models import Release
from lodestar.planning.share_services import local_today as workspace_today  # noqa: F401 - for the others
from lodestar.strategy.models import Objective
from lodestar.workspaces.models import Membership, Product

LINKS = {
    "feature_keys": ("features", Feature, "title", "feature"),
    "release_keys": ("releases", Release, "name", "release"),
    "objective_keys": ("objectives", Objective, "title", "objective"),
}


def text_field(value: str | None, field: str, *, required: str = "", limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text and required:
        raise Invalid(fields={field: [required]})
    if "\x00" in text:
        raise Invalid(fields={field: ["Null characters are not allowed."]})
    if len(text) > limit:
        raise Invalid(fields={field: [f"Use at most {limit:,} characters (got {len(text):,})."]})
    return text


def scale(value: Any, field: str) -> int:
    """A 1..5 rating (likelihood, impact, severity), else Invalid naming the scale."""
    labels = {
        "likelihood": LIKELIHOOD_LABELS,
        "impact": IMPACT_LABELS,
    }.get(field, {1: "Minor", 5: "Critical"})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise Invalid(
            fields={
                field: [
                    f"{field.capitalize()} runs from 1 ({labels[1].lower()}) to 5 "
                    f"({labels[5].lower()}); {value!r} is not on the scale."
                ]
            }
        )
    return number


def member_of(workspace, key: str | None, field: str = "owner_key") -> Membership | None:
    if not key:
        return None
    owner = Membership.objects.filter(workspace=workspace, key=key).select_related("user").first()
    if owner is None:
        raise Invalid(fields={field: ["Choose a member of this workspace."]})
    return owner


def linked_objects(product: Product, keys: dict[str, Iterable[str]]) -> dict[str, list[Any]]:
    """The features, releases and objectives the keys name; each must belong to `product`
    (so to its workspace): anything else is a field error naming the key."""
    found: dict[str, list[Any]] = {}
    for field, (attr, model, _label, noun) in LINKS.items():
        wanted = list(dict.fromkeys(str(k) for k in keys.get(field) or () if k))
        rows = {
            r.key: r
            for r in model.objects.filter(  # type: ignore[attr-defined]
                workspace_id=product.workspace_id, product=product, key__in=wanted
            )
        }
        missing = [k for k in wanted if k not in rows]
        if missing:
            raise Invalid(
                fields={
                    field: [
                        f"No {noun} with key {missing[0]!r} in {product.name}: a risk links "
                        f"only to its own product's {noun}s."
                    ]
                }
            )
        found[attr] = [rows[k] for k in wanted]
    return found


def review_date(value: date | None, *, today: date, changed: bool) -> date | None:
    if value is not None and changed and value < today:
        raise Invalid(
            fields={
                "review_on": [
                    f"The review date {value:%d %b %Y} is in the past: choose today or later."
                ]
            }
        )
    return value


def shown(name: str, value: Any) -> Any:
    """A field's value as the history shows it (labels, names, ISO dates)."""
    if value is None or value == "":
        return None
    if name == "status":
        return str(RiskStatus(value).label)
    if name == "category":
        return str(RiskCategory(value).label)
    if name == "owner":
        return value.user.display_name
    if isinstance(value, list):
        return ", ".join(sorted(str(v) for v in value)) or None
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, str | int | bool | float) else str(value)


def changes_of(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    out = {}
    for name, value in after.items():
        old, new = shown(name, before.get(name)), shown(name, value)
        if old != new:
            out[name] = [old, new]
    return out


def link_labels(links: dict[str, list[Any]]) -> dict[str, list[str]]:
    labels = {attr: label for attr, _model, label, _noun in LINKS.values()}
    return {attr: [getattr(o, labels[attr]) for o in objs] for attr, objs in links.items()}
