"""Writes for features."""

from __future__ import annotations

from django.db import transaction

from lodestar.activity.services import activity_record, record_delete, record_update
from lodestar.core.errors import Invalid
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.workspaces.models import Product, Workspace


def _values(workspace: Workspace, data: dict) -> dict:
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


def feature_update(*, feature: Feature, actor, **data) -> Feature:
    values = _values(feature.workspace, data)
    if "title" in values:
        _title_free(feature.workspace, values["title"], exclude_pk=feature.pk)
    with transaction.atomic():
        record_update(feature, actor=actor, values=values, target_type="feature")
    return feature


def feature_delete(*, feature: Feature, actor) -> None:
    with transaction.atomic():
        record_delete(feature, actor=actor, target_type="feature")
