"""Saved roadmap views: a member's named view (the timeline or a board, with its filters),
their own or shared with the workspace."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import (
    Q,
    QuerySet,
)
from django.http import QueryDict

from lodestar.activity.services import activity_record, record_delete, record_update
from lodestar.core.errors import Invalid, NotFound, PermissionDenied
from lodestar.planning.roadmap_models import RoadmapView, SavedView
from lodestar.workspaces.models import Membership
from lodestar.workspaces.permissions import require

# -- saved views --------------------------------------------------------------------------
# A member saves the roadmap view they look at (which view, which filters) by name: their
# own, or shared with the workspace (view.share). Anyone sees their own and the shared ones;
# another member's own views are invisible (404). Only the owner renames or deletes a view.

SAVED_TARGET = "roadmap view"
SAVED_MAX_NAME = 60
SAVED_MAX_QUERY = 1000
SAVED_MAX_PER_MEMBER = 100
# The roadmap pages' filter parameters a saved view keeps, each with its longest value.
SAVED_PARAMS = {
    "product": 40,
    "team": 16,
    "owner": 16,
    "tag": 40,
    "status": 20,
    "q": 100,
    "unplaced": 1,
    "group": 12,
    "zoom": 10,
}


def saved_query_clean(raw: str) -> str:
    """A roadmap query string -> only the filter parameters, in a fixed order, re-encoded.
    Raises Invalid(query) when it is too long."""
    if len(raw or "") > SAVED_MAX_QUERY:
        raise Invalid(
            fields={
                "query": [
                    f"This view's filters are too long (over {SAVED_MAX_QUERY:,} characters)."
                ]
            }
        )
    given = QueryDict(raw or "")
    kept: list[tuple[str, str]] = []
    for name, limit in SAVED_PARAMS.items():
        for value in given.getlist(name)[:10]:
            value = " ".join(value.split())
            if not value:
                continue
            if "\x00" in value or len(value) > limit:
                raise Invalid(fields={"query": [f"The {name} filter is too long (over {limit})."]})
            kept.append((name, value))
    encoded = urlencode(kept)
    if len(encoded) > SAVED_MAX_QUERY:
        raise Invalid(
            fields={
                "query": [
                    f"This view's filters are too long (over {SAVED_MAX_QUERY:,} characters)."
                ]
            }
        )
    return encoded


def _saved_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(fields={"name": ["Name this view."]})
    if "\x00" in name:
        raise Invalid(fields={"name": ["Null characters are not allowed."]})
    if len(name) > SAVED_MAX_NAME:
        raise Invalid(
            fields={"name": [f"Use at most {SAVED_MAX_NAME} characters (got {len(name)})."]}
        )
    return name


def _saved_unique(owner: Membership, name: str, exclude_pk: int | None = None) -> None:
    taken = SavedView.objects.filter(owner=owner).values_list("pk", "name")
    if any(n.casefold() == name.casefold() and pk != exclude_pk for pk, n in taken):
        raise Invalid(fields={"name": [f"You already have a view called “{name}”."]})


def saved_view_list(*, membership: Membership) -> QuerySet:
    """The member's own views and the workspace's shared ones, by name."""
    return (
        SavedView.objects.filter(workspace_id=membership.workspace_id)
        .filter(Q(owner=membership) | Q(shared=True))
        .select_related("owner__user", "workspace")
        .order_by("name", "pk")
    )


def saved_view_get(*, membership: Membership, key: str):
    found = saved_view_list(membership=membership).filter(key=key).first()
    if found is None:
        raise NotFound("No such saved view.")
    return found


def saved_view_url(saved) -> str:
    """Where a saved view opens: the timeline or a board, with its filters."""
    slug = saved.workspace.slug
    if saved.view == "timeline":
        base = f"/w/{slug}/roadmap/"
        return f"{base}?{saved.query}" if saved.query else base
    query = urlencode([("view", saved.view)])
    return f"/w/{slug}/roadmap/board/?{query}" + (f"&{saved.query}" if saved.query else "")


def saved_view_create(
    *, membership: Membership, name: str, view: str, query: str = "", shared: bool = False
):
    name = _saved_name(name)
    if view not in RoadmapView.values:
        raise Invalid(fields={"view": ["Choose the timeline or a board."]})
    query = saved_query_clean(query)
    if shared:
        require(membership, "view.share")
    with transaction.atomic():
        if SavedView.objects.filter(owner=membership).count() >= SAVED_MAX_PER_MEMBER:
            raise Invalid(
                fields={"name": [f"You have {SAVED_MAX_PER_MEMBER} views: delete one first."]}
            )
        _saved_unique(membership, name)
        try:
            with transaction.atomic():
                saved = SavedView.objects.create(
                    workspace_id=membership.workspace_id,
                    owner=membership,
                    name=name,
                    view=view,
                    query=query,
                    shared=shared,
                )
        except IntegrityError:
            raise Invalid(fields={"name": [f"You already have a view called “{name}”."]}) from None
        activity_record(
            workspace=membership.workspace,
            actor=membership.user,
            verb="saved",
            target_type=SAVED_TARGET,
            target_key=saved.key,
            target_label=saved.name,
            changes={"view": [None, view], "query": [None, query], "shared": [None, shared]},
        )
    return saved


def _own(saved, membership: Membership, doing: str) -> None:
    if saved.workspace_id != membership.workspace_id or (
        saved.owner_id != membership.pk and not saved.shared
    ):
        raise NotFound("No such saved view.")
    if saved.owner_id != membership.pk:
        raise PermissionDenied(f"Only the member who saved a view can {doing} it.")


def saved_view_update(*, saved, membership: Membership, name: str, shared: bool | None = None):
    """Rename one's own view; `shared` True shares it (view.share), False makes it one's
    own again, None leaves it."""
    _own(saved, membership, "rename")
    name = _saved_name(name)
    values: dict[str, object] = {"name": name}
    if shared is not None and shared != saved.shared:
        if shared:
            require(membership, "view.share")
        values["shared"] = shared
    _saved_unique(membership, name, exclude_pk=saved.pk)
    try:
        with transaction.atomic():
            record_update(saved, actor=membership.user, values=values, target_type=SAVED_TARGET)
    except IntegrityError:
        raise Invalid(fields={"name": [f"You already have a view called “{name}”."]}) from None
    return saved


def saved_view_delete(*, saved, membership: Membership) -> None:
    _own(saved, membership, "delete")
    with transaction.atomic():
        record_delete(saved, actor=membership.user, target_type=SAVED_TARGET)


def saved_view_menu(*, membership: Membership, limit: int = 100) -> list[dict]:
    """The saved views as links for planning/views_menu.html: name, url, label (which
    view), shared, shared_by (who shared it, when not the member)."""
    labels = dict(RoadmapView.choices)
    rows = saved_view_list(membership=membership)[:limit]
    return [
        {
            "name": s.name,
            "url": saved_view_url(s),
            "label": labels.get(s.view, s.view),
            "shared": s.shared,
            "shared_by": s.owner.user.display_name if s.owner_id != membership.pk else "",
        }
        for s in rows
    ]
