"""The roadmap's history: every change to releases and to features on the roadmap, recorded
by the services that make it (inside their transaction), read by "what changed since"."""

from __future__ import annotations

from datetime import date

from lodestar.planning.roadmap_models import ChangeKind, RoadmapChange


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:200]


def roadmap_change(
    *,
    workspace,
    actor,
    kind: ChangeKind | str,
    target,
    product=None,
    field: str = "",
    old: object = None,
    new: object = None,
) -> RoadmapChange:
    """Record one change. `target` is a Release or a Feature; `product` defaults to its."""
    target_type = "release" if target.__class__.__name__ == "Release" else "feature"
    return RoadmapChange.objects.create(
        workspace=workspace,
        product=product if product is not None else getattr(target, "product", None),
        actor=actor,
        kind=str(kind),
        target_type=target_type,
        target_key=target.key,
        target_label=str(target)[:200],
        field=field,
        old=_text(old),
        new=_text(new),
    )
