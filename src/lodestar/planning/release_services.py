"""Writes for the roadmap's releases and milestones, dependencies between features, and the
one write that moves a feature on the roadmap (`feature_move`).

Every change is recorded twice, in the same transaction: in the activity log (who changed
which field, old -> new: edit conflicts list these) and, when it changes the roadmap, as a
RoadmapChange (the roadmap's history, read by "what changed since"). Features, releases and
their edit forms are versioned: a save against an older version raises EditConflict (409)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid, NotFound
from lodestar.planning.concurrency import update_logged
from lodestar.planning.models import Feature, FeatureStatus, Horizon
from lodestar.planning.roadmap_history import roadmap_change
from lodestar.planning.roadmap_models import (
    ChangeKind,
    Dependency,
    Release,
    ReleaseKind,
    ReleaseStatus,
)
from lodestar.workspaces.models import Membership, Product, Team, Workspace
from lodestar.workspaces.permissions import require

# The fields that place a feature on the roadmap; a change to any is a RoadmapChange.
ROADMAP_FIELDS = ("horizon", "status", "release")


# -- moving features ------------------------------------------------------------------------


def _shown(field: str, value: Any) -> str:
    """A roadmap field's value as people read it ("Now", "In progress", a release's name)."""
    if value is None or value == "":
        return ""
    if field == "horizon":
        return str(Horizon(value).label)
    if field == "status":
        return str(FeatureStatus(value).label)
    return str(value)


def _on_roadmap(place: dict[str, Any]) -> bool:
    """A feature is on the roadmap when it has a horizon or a release and is not won't do."""
    return place["status"] != FeatureStatus.WONT_DO and bool(
        place["horizon"] or place["release"] is not None
    )


def roadmap_place(feature: Feature) -> dict[str, Any]:
    """The feature's horizon, status and release: pass it to `record_feature_moves` after."""
    return {name: getattr(feature, name) for name in ROADMAP_FIELDS}


def record_feature_moves(feature: Feature, *, actor, before: dict[str, Any]) -> None:
    """Record the roadmap changes of `feature`, whose place was `before` (roadmap_place) and
    is now what the feature holds. One row per changed field: FEATURE_ADDED for the field
    that put it on the roadmap, FEATURE_DROPPED for the one that took it off, FEATURE_MOVED
    for the others. Call inside the transaction that saved the feature."""
    after = roadmap_place(feature)
    changed = [name for name in ROADMAP_FIELDS if before[name] != after[name]]
    if not changed:
        return
    was, now = _on_roadmap(before), _on_roadmap(after)
    kind = ChangeKind.FEATURE_MOVED
    if now != was:
        kind = ChangeKind.FEATURE_ADDED if now else ChangeKind.FEATURE_DROPPED

        def decisive(name: str) -> bool:
            if name == "status":  # into or out of won't do
                return FeatureStatus.WONT_DO in (before[name], after[name])
            return not (before[name] if now else after[name])  # gained or lost

        changed.sort(key=lambda name: not decisive(name))  # the decisive field first
    for index, name in enumerate(changed):
        roadmap_change(
            workspace=feature.workspace,
            actor=actor,
            kind=kind if index == 0 else ChangeKind.FEATURE_MOVED,
            target=feature,
            field=name,
            old=_shown(name, before[name]),
            new=_shown(name, after[name]),
        )


def feature_save(
    feature: Feature, *, actor, values: dict[str, Any], version: int | None
) -> dict[str, list[Any]]:
    """The one save of a feature's fields (feature_update and feature_move both use it):
    versioned, recorded in the activity log, and in the roadmap's history when its horizon,
    status or release changed. Returns the changes, {field: [old, new]}.

    Raises EditConflict when `version` is stale; the feature is then re-read from the
    database (what the other person saved)."""
    before_place = roadmap_place(feature)
    return update_logged(
        feature,
        actor=actor,
        values=values,
        version=version,
        target_type="feature",
        label=feature.title,
        also=lambda changes, before: record_feature_moves(
            feature, actor=actor, before=before_place
        ),
    )


def release_for_feature(
    feature: Feature, key: str, *, product: Product | None, field: str = "release_key"
) -> Release | None:
    """The release `key` names, for `feature` of `product`; "" is none. Raises Invalid on
    `field` when it is not a release of this workspace and product, or is cancelled."""
    if not key:
        return None
    release = (
        Release.objects.filter(workspace_id=feature.workspace_id, key=key)
        .select_related("product")
        .first()
    )
    if release is None:
        raise Invalid(fields={field: [f"No release with key {key!r} in this workspace."]})
    if product is None:
        raise Invalid(
            fields={
                field: [
                    f"{feature.title} has no product: give it one before putting it in "
                    f"{release.name} ({release.product.name})."
                ]
            }
        )
    if release.product_id != product.pk:
        raise Invalid(
            fields={
                field: [
                    f"{release.name} is a release of {release.product.name}; "
                    f"{feature.title} belongs to {product.name}."
                ]
            }
        )
    if release.status == ReleaseStatus.CANCELLED and release.pk != feature.release_id:
        raise Invalid(fields={field: [f"{release.name} is cancelled: choose another release."]})
    return release


def feature_move(
    *,
    feature: Feature,
    actor,
    membership: Membership,
    horizon: str | None = None,
    status: str | None = None,
    release_key: str | None = None,
    version: int | None = None,
) -> Feature:
    """Move a feature on the roadmap: its horizon ("" for none), status and/or release
    (a release key; "" takes it out of its release). None leaves a field as it is.

    Checks here, whoever calls: a horizon or status change needs feature.manage, a release
    change release.manage (PermissionDenied); the release must be one of the feature's
    product in the same workspace (Invalid on `release_key`). `version` is the version the
    caller was shown (None: no check; a stale one raises EditConflict).

    Returns the feature with `warnings`: the dependency warnings that now involve it
    (release_selectors.DependencyWarning), for the caller to show."""
    from lodestar.planning.release_selectors import dependency_warnings

    if membership.workspace_id != feature.workspace_id:
        raise NotFound("No such feature.")
    if horizon is not None or status is not None:
        require(membership, "feature.manage")
    if release_key is not None:
        require(membership, "release.manage")
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if horizon is not None:
        if horizon not in ("", *Horizon.values):
            errors["horizon"] = [f"Use one of {', '.join(Horizon.values)}, or nothing."]
        values["horizon"] = horizon
    if status is not None:
        if status not in FeatureStatus.values:
            errors["status"] = [f"Use one of {', '.join(FeatureStatus.values)}."]
        values["status"] = status
    if errors:
        raise Invalid(fields=errors)
    if release_key is not None:
        values["release"] = release_for_feature(feature, release_key, product=feature.product)
    feature_save(feature, actor=actor, values=values, version=version)
    feature.warnings = dependency_warnings(features=[feature]).get(feature.pk, [])  # type: ignore[attr-defined]
    return feature


# -- releases -------------------------------------------------------------------------------


def _date(raw: Any, name: str, errors: dict) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = ["Use a date like 2026-03-31."]
        return None


def _release_values(
    workspace: Workspace, data: dict[str, Any], release: Release | None
) -> dict[str, Any]:
    """Checked values for the fields in `data` (a PATCH sends some); Invalid with every
    field's error at once. Dates are checked on the values after the change."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name:
            errors["name"] = ["A release needs a name, like 2.4 or Spring launch."]
        elif len(name) > 120 or "\x00" in name:
            errors["name"] = ["Use at most 120 characters, no null characters."]
        values["name"] = name
    if "kind" in data and data["kind"] is not None:
        if data["kind"] not in ReleaseKind.values:
            errors["kind"] = [f"Use one of {', '.join(ReleaseKind.values)}."]
        values["kind"] = data["kind"]
    if "status" in data and data["status"] is not None:
        if data["status"] not in ReleaseStatus.values:
            errors["status"] = [f"Use one of {', '.join(ReleaseStatus.values)}."]
        values["status"] = data["status"]
    if "goal" in data:
        goal = str(data["goal"] or "").strip()
        if len(goal) > 2000 or "\x00" in goal:
            errors["goal"] = ["Use at most 2,000 characters, no null characters."]
        values["goal"] = goal
    if "product_key" in data:
        key = str(data["product_key"] or "")
        product = Product.objects.filter(workspace=workspace, key=key).first() if key else None
        if product is None:
            errors["product_key"] = (
                [f"No product with key {key!r}."] if key else ["Choose the release's product."]
            )
        values["product"] = product
    if "team_key" in data:
        key = str(data["team_key"] or "")
        team = Team.objects.filter(workspace=workspace, key=key).first() if key else None
        if team is None:
            errors["team_key"] = (
                [f"No team with key {key!r}."]
                if key
                else ["A release needs a team: choose the team that delivers it."]
            )
        values["team"] = team
    if "owner_key" in data:
        key = str(data["owner_key"] or "")
        owner = Membership.objects.filter(workspace=workspace, key=key).first() if key else None
        if key and owner is None:
            errors["owner_key"] = [f"No member with key {key!r}."]
        values["owner"] = owner
    for name in ("start", "target"):
        if name in data:
            values[name] = _date(data[name], name, errors)
    if not {"start", "target", "kind"} & set(errors):
        kind = values.get("kind", getattr(release, "kind", ReleaseKind.RELEASE))
        start = values["start"] if "start" in values else getattr(release, "start", None)
        target = values["target"] if "target" in values else getattr(release, "target", None)
        if target is None and ("target" in data or release is None):
            errors["target"] = ["Enter the target date."]
        if start is None and kind == ReleaseKind.RELEASE and ("start" in data or "kind" in data):
            errors["start"] = ["A release needs a start date (a milestone may have none)."]
        if start is not None and target is not None and start > target:
            errors["target"] = [
                f"The target date ({target.isoformat()}) is before the start "
                f"({start.isoformat()}): the dates are out of order."
            ]
    if errors:
        raise Invalid(fields=errors)
    return values


def _name_free(product: Product, name: str, exclude: Release | None = None) -> None:
    clash = Release.objects.filter(product=product, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise Invalid(fields={"name": [f"{product.name} already has a release called {name!r}."]})


def release_create(*, workspace: Workspace, actor, **data) -> Release:
    """Create a release or milestone. Needs name, product_key, team_key and target (and
    start for a release); kind, status, goal and owner_key are optional."""
    for required in ("name", "product_key", "team_key", "target"):
        data.setdefault(required, "")
    data.setdefault("start", None)
    values = _release_values(workspace, data, None)
    if values.get("status") == ReleaseStatus.RELEASED:
        values["released_on"] = timezone.localdate()
    with transaction.atomic():
        _name_free(values["product"], values["name"])
        release = Release.objects.create(workspace=workspace, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="release",
            target_key=release.key,
            target_label=release.name,
        )
        roadmap_change(
            workspace=workspace,
            actor=actor,
            kind=ChangeKind.RELEASE_ADDED,
            target=release,
            field="target",
            new=release.target,
        )
    return release


def release_update(*, release: Release, actor, version: int | None = None, **data: Any) -> Release:
    """Change some of a release's fields (not its product: its features belong to it).
    `version`: the version the caller was shown; a stale one raises EditConflict."""
    data.pop("product_key", None)
    values = _release_values(release.workspace, data, release)
    if "name" in values:
        _name_free(release.product, values["name"], exclude=release)
    if values.get("status", release.status) == ReleaseStatus.RELEASED:
        if release.released_on is None:
            values["released_on"] = timezone.localdate()
    elif "status" in values and release.released_on is not None:
        values["released_on"] = None

    def history(changes: dict[str, list[Any]], before: dict[str, Any]) -> None:
        if "target" in changes:
            roadmap_change(
                workspace=release.workspace,
                actor=actor,
                kind=ChangeKind.RELEASE_DATES,
                target=release,
                field="target",
                old=before["target"],
                new=release.target,
            )
        if "status" in changes:
            roadmap_change(
                workspace=release.workspace,
                actor=actor,
                kind=ChangeKind.RELEASE_STATUS,
                target=release,
                field="status",
                old=ReleaseStatus(before["status"]).label,
                new=ReleaseStatus(release.status).label,
            )

    label = values.get("name", release.name)
    update_logged(
        release,
        actor=actor,
        values=values,
        version=version,
        target_type="release",
        label=label,
        also=history,
    )
    return release


def release_delete(*, release: Release, actor) -> None:
    """Delete a release; its features stay, out of any release (each move recorded)."""
    with transaction.atomic():
        features = list(Feature.objects.filter(release=release).select_related("workspace"))
        for feature in features:
            before = roadmap_place(feature)
            feature.release = None
            activity_record(
                workspace=feature.workspace,
                actor=actor,
                verb="updated",
                target_type="feature",
                target_key=feature.key,
                target_label=feature.title,
                changes={"release": [release.name, None]},
            )
            record_feature_moves(feature, actor=actor, before=before)
        # One UPDATE; the version bump makes an open edit form of these features stale.
        Feature.objects.filter(release=release).update(release=None, version=F("version") + 1)
        activity_record(
            workspace=release.workspace,
            actor=actor,
            verb="deleted",
            target_type="release",
            target_key=release.key,
            target_label=release.name,
        )
        roadmap_change(
            workspace=release.workspace,
            actor=actor,
            kind=ChangeKind.RELEASE_DROPPED,
            target=release,
            field="target",
            old=release.target,
        )
        release.delete()


def release_feature_add(*, release: Release, actor, membership: Membership, title: str) -> Feature:
    """Put the feature called `title` (any case) into `release` (through feature_move)."""
    title = " ".join(str(title or "").split())
    feature = (
        Feature.objects.filter(workspace_id=release.workspace_id, title__iexact=title)
        .select_related("product", "release")
        .first()
        if title
        else None
    )
    if feature is None:
        raise Invalid(
            fields={
                "title": [f"No feature called {title!r}." if title else "Type a feature's title."]
            }
        )
    if feature.release_id == release.pk:
        raise Invalid(fields={"title": [f"{feature.title} is already in {release.name}."]})
    try:
        return feature_move(
            feature=feature, actor=actor, membership=membership, release_key=release.key
        )
    except Invalid as exc:  # the form has one field: the title
        raise Invalid(fields={"title": [m for ms in exc.fields.values() for m in ms]}) from None


def release_feature_remove(
    *, release: Release, actor, membership: Membership, feature_key: str
) -> Feature:
    feature = Feature.objects.filter(release=release, key=feature_key).first()
    if feature is None:
        # The key comes in the body, not the URL: a bad request, not a missing page.
        raise Invalid(
            fields={"feature": [f"No feature with key {feature_key!r} in {release.name}."]}
        )
    return feature_move(feature=feature, actor=actor, membership=membership, release_key="")


# -- dependencies ---------------------------------------------------------------------------

MAX_CHAIN = 500  # features walked looking for a cycle; a deeper chain is refused


def _path(start: Feature, goal: Feature) -> list[int] | None:
    """The chain of feature ids from `start` to `goal` along "blocks" links, if any
    (breadth first, one query per level)."""
    parents: dict[int, int | None] = {start.pk: None}
    level = [start.pk]
    while level and len(parents) <= MAX_CHAIN:
        rows = Dependency.objects.filter(blocker_id__in=level).values_list(
            "blocker_id", "blocked_id"
        )
        level = []
        for blocker, blocked in rows:
            if blocked in parents:
                continue
            parents[blocked] = blocker
            if blocked == goal.pk:
                chain: list[int] = [blocked]
                node: int | None = blocker
                while node is not None:
                    chain.append(node)
                    node = parents[node]
                return chain[::-1]
            level.append(blocked)
    return None


def _feature_by_title(workspace_id: int, title: str, field: str) -> Feature:
    title = " ".join(str(title or "").split())
    feature = (
        Feature.objects.filter(workspace_id=workspace_id, title__iexact=title).first()
        if title
        else None
    )
    if feature is None:
        raise Invalid(
            fields={
                field: [f"No feature called {title!r}." if title else "Type a feature's title."]
            }
        )
    return feature


def dependency_add(
    *, feature: Feature, actor, title: str, direction: str = "blocked_by"
) -> Dependency:
    """Record that `feature` is blocked by (direction "blocked_by") or blocks ("blocks") the
    feature called `title`. Refuses a dependency on itself and one that closes a cycle
    (the message names the cycle)."""
    other = _feature_by_title(feature.workspace_id, title, "title")
    if direction not in ("blocked_by", "blocks"):
        raise Invalid(fields={"direction": ["Use blocked_by or blocks."]})
    blocker, blocked = (other, feature) if direction == "blocked_by" else (feature, other)
    if blocker.pk == blocked.pk:
        raise Invalid(fields={"title": ["A feature cannot depend on itself."]})
    if Dependency.objects.filter(blocker=blocker, blocked=blocked).exists():
        raise Invalid(fields={"title": [f"{blocker.title} already blocks {blocked.title}."]})
    chain = _path(blocked, blocker)  # blocked already leads to blocker: a cycle
    if chain is not None:
        titles = dict(Feature.objects.filter(pk__in=chain).values_list("pk", "title"))
        cycle = " → ".join([titles[pk] for pk in chain] + [titles[chain[0]]])
        raise Invalid(
            fields={
                "title": [f"That would make a circular dependency: {cycle} (each blocks the next)."]
            }
        )
    with transaction.atomic():
        dependency = Dependency.objects.create(blocker=blocker, blocked=blocked, created_by=actor)
        activity_record(
            workspace=feature.workspace,
            actor=actor,
            verb="linked",
            # Not "feature": edit conflicts read a feature's entries to list its changes.
            target_type="dependency",
            target_key=blocked.key,
            target_label=blocked.title,
            changes={"blocked_by": [None, blocker.title]},
        )
    return dependency


def dependency_remove(*, feature: Feature, actor, other_key: str) -> None:
    """Remove the dependency between `feature` and the feature `other_key`, either way."""
    from django.db.models import Q

    link = (
        Dependency.objects.filter(
            Q(blocker=feature, blocked__key=other_key) | Q(blocked=feature, blocker__key=other_key)
        )
        .select_related("blocker", "blocked")
        .first()
    )
    if link is None:
        raise Invalid(
            fields={"other": [f"{feature.title} has no dependency on a feature {other_key!r}."]}
        )
    with transaction.atomic():
        activity_record(
            workspace=feature.workspace,
            actor=actor,
            verb="unlinked",
            target_type="dependency",
            target_key=link.blocked.key,
            target_label=link.blocked.title,
            changes={"blocked_by": [link.blocker.title, None]},
        )
        link.delete()
