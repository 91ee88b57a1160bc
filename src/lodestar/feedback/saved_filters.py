"""Saved inbox filters: reads and writes (kept apart from services.py, which is about feedback
itself). A member saves the inbox's current filters by name, for themselves or, as a
triager, shared with the workspace.

Who may do what: anyone who reads the inbox saves, renames, unshares and deletes their own
filters; sharing one needs `feedback.triage`, and a triager may also delete a filter someone
else shared (only its owner renames it). Other members' private filters are invisible (404).

Every write is in the activity log, with the filter's name (private ones too: a name is not
a secret, and the log is where members look for who changed what).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict

from lodestar.activity.services import activity_record, record_delete, record_update
from lodestar.core.errors import Invalid, NotFound, PermissionDenied
from lodestar.feedback.models import SavedFilter, Status
from lodestar.workspaces.models import Membership
from lodestar.workspaces.permissions import require, role_can

TARGET = "inbox filter"
MAX_NAME = 60  # SavedFilter.name's max_length
MAX_QUERY = 1000  # SavedFilter.query's max_length
MAX_PER_MEMBER = 100
# The inbox's filter parameters, in the order a saved query keeps them, with their limits.
FIELDS = {"status": 12, "q": 100, "tag": 40, "who": 6}
WHO = ("me", "nobody")


def clean_query(raw: str) -> str:
    """An inbox query string -> the filters alone, in a fixed order, re-encoded (so a saved
    query is only ever a query string). Raises Invalid(query) for values the inbox refuses."""
    if len(raw or "") > MAX_QUERY:
        raise Invalid(
            fields={"query": [f"This filter is too long (over {MAX_QUERY:,} characters)."]}
        )
    given = QueryDict(raw or "")
    kept = QueryDict(mutable=True)
    for name, limit in FIELDS.items():
        value = " ".join(given.get(name, "").split())
        if not value:
            continue
        if name == "status" and value not in Status.values:
            raise Invalid(fields={"query": [f"“{value[:20]}” is not a status."]})
        if name == "who" and value not in WHO:
            raise Invalid(fields={"query": [f"“{value[:20]}” is not an assignee filter."]})
        if "\x00" in value or len(value) > limit:
            raise Invalid(fields={"query": [f"The {name} filter is too long (over {limit})."]})
        kept[name] = value
    encoded = kept.urlencode()
    if len(encoded) > MAX_QUERY:
        raise Invalid(
            fields={"query": [f"This filter is too long (over {MAX_QUERY:,} characters)."]}
        )
    return encoded


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(fields={"name": ["Name this filter."]})
    if "\x00" in name:
        raise Invalid(fields={"name": ["Null characters are not allowed."]})
    if len(name) > MAX_NAME:
        raise Invalid(fields={"name": [f"Use at most {MAX_NAME} characters (got {len(name)})."]})
    return name


def _check_unique(owner: Membership, name: str, *, exclude: SavedFilter | None = None) -> None:
    """Names are unique per member, ignoring case (compared here, the same on every database)."""
    taken = SavedFilter.objects.filter(owner=owner).values_list("pk", "name")
    if any(
        other.casefold() == name.casefold() and (exclude is None or pk != exclude.pk)
        for pk, other in taken
    ):
        raise _duplicate(name)


def _duplicate(name: str) -> Invalid:
    return Invalid(fields={"name": [f"You already have a filter called “{name}”."]})


# -- reads ------------------------------------------------------------------------------


def saved_filter_list(*, membership: Membership) -> QuerySet[SavedFilter]:
    """The member's own filters and those shared with the workspace, by name."""
    return (
        SavedFilter.objects.filter(workspace=membership.workspace)
        .filter(Q(owner=membership) | Q(shared=True))
        .select_related("owner__user")
        .order_by("name", "pk")
    )


def saved_filter_get(*, membership: Membership, key: str) -> SavedFilter:
    """One filter this member can see (own or shared), else NotFound."""
    found = saved_filter_list(membership=membership).filter(key=key).first()
    if found is None:
        raise NotFound("No such saved filter.")
    return found


def can_delete(membership: Membership, saved: SavedFilter) -> bool:
    return saved.owner_id == membership.pk or (
        saved.shared and role_can(membership.role, "feedback.triage")
    )


# -- writes -----------------------------------------------------------------------------


def saved_filter_create(
    *, membership: Membership, name: str, query: str, shared: bool = False
) -> SavedFilter:
    name = _clean_name(name)
    query = clean_query(query)
    if shared:
        require(membership, "feedback.triage")
    with transaction.atomic():
        if SavedFilter.objects.filter(owner=membership).count() >= MAX_PER_MEMBER:
            raise Invalid(
                fields={"name": [f"You have {MAX_PER_MEMBER} filters: delete one first."]}
            )
        _check_unique(membership, name)
        try:
            with transaction.atomic():
                saved = SavedFilter.objects.create(
                    workspace=membership.workspace,
                    owner=membership,
                    name=name,
                    query=query,
                    shared=shared,
                )
        except IntegrityError:  # the same name saved at the same moment
            raise _duplicate(name) from None
        activity_record(
            workspace=membership.workspace,
            actor=membership.user,
            verb="saved",
            target_type=TARGET,
            target_key=saved.key,
            target_label=saved.name,
            changes={"query": [None, query], "shared": [None, shared]},
        )
    return saved


def saved_filter_update(
    *, saved: SavedFilter, membership: Membership, name: str, shared: bool | None = None
) -> SavedFilter:
    """Rename a filter of one's own; `shared` True shares it (triagers only), False makes it
    private again, None leaves it as it is."""
    if saved.workspace_id != membership.workspace_id or (
        saved.owner_id != membership.pk and not saved.shared
    ):
        raise NotFound("No such saved filter.")
    if saved.owner_id != membership.pk:
        raise PermissionDenied("Only the member who saved a filter can rename it.")
    name = _clean_name(name)
    values: dict[str, object] = {"name": name}
    if shared is not None and shared != saved.shared:
        if shared:
            require(membership, "feedback.triage")
        values["shared"] = shared
    _check_unique(membership, name, exclude=saved)
    try:
        with transaction.atomic():
            record_update(saved, actor=membership.user, values=values, target_type=TARGET)
    except IntegrityError:
        raise _duplicate(name) from None
    return saved


def saved_filter_delete(*, saved: SavedFilter, membership: Membership) -> None:
    if saved.workspace_id != membership.workspace_id:
        raise NotFound("No such saved filter.")
    if saved.owner_id != membership.pk:
        if not saved.shared:
            raise NotFound("No such saved filter.")
        require(membership, "feedback.triage")
    with transaction.atomic():
        record_delete(saved, actor=membership.user, target_type=TARGET)
