"""The roadmap boards (Now / Next / Later, by status, by release), moving cards on them, saved
roadmap views, and "what changed since".

A move is one POST, from a drag (board.js fills the board's drop form) or from a card's
"Move to" form (a plain form: it works from the keyboard and without JavaScript). With htmx
the answer swaps the two columns in place and the message goes to the page's live region;
without it the page redirects back to the board. A refused move (the role may not change
that column, a stale version) is said in a role="alert" region and changes nothing."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.errors import Invalid, LodestarError
from lodestar.core.forms import apply_errors, form_status, submit
from lodestar.core.pagination import paginate
from lodestar.planning import boards, history
from lodestar.planning import saved_views as views_of
from lodestar.planning.board_forms import (
    SavedViewEditForm,
    SavedViewForm,
    SinceForm,
    board_view_from,
    filters_from,
)
from lodestar.planning.concurrency import EditConflict, parse_version
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.planning.release_services import feature_move
from lodestar.planning.roadmap_models import RoadmapView
from lodestar.planning.visibility import Visible
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import member_list, product_list, team_list

VIEW_LABELS = {
    "horizons": "Now / Next / Later",
    "status": "By status",
    "releases": "By release",
}


def _board_url(request: WorkspaceRequest, query: str = "") -> str:
    url = reverse("roadmap:board", args=[request.workspace.slug])
    return f"{url}?{query}" if query else url


def _back(raw: str) -> QueryDict:
    """The board query a move was posted from (re-encoded: only a query string)."""
    return QueryDict(QueryDict(raw[:2000]).urlencode(), mutable=True)


def _query(view: str, filters: boards.Filters) -> str:
    return urlencode([("view", view), *filters.query()])


def _editable(request: WorkspaceRequest) -> bool:
    """Cards can be dragged by whoever may move something on some board; the move itself
    checks the column (a product owner changes releases, not horizons)."""
    role = request.membership.role
    return role_can(role, "feature.manage") or role_can(role, "release.manage")


def _build(request: WorkspaceRequest, query: QueryDict) -> boards.Board:
    view = board_view_from(query)
    return boards.board_build(
        workspace=request.workspace,
        products=None,
        view=view,
        visible=Visible.for_member(request.membership),
        filters=filters_from(query),
    )


def _board_context(request: WorkspaceRequest, board: boards.Board) -> dict:
    """Set how the member's page shows `board` (moves, links), for the board templates."""
    workspace = request.workspace
    board.editable = _editable(request)
    board.move_url = reverse("roadmap:board_move", args=[workspace.slug])
    board.back = _query(board.view, board.filters)
    board.csrf_token = get_token(request)
    board.feature_url = reverse("planning:feature", args=[workspace.slug, "FEATURE_KEY"])
    return {"board": board}


def board_page(
    request: WorkspaceRequest,
    query: QueryDict,
    *,
    error: LodestarError | None = None,
    save_form: SavedViewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The board page for `query`; a refused move or a bad filter shows its message."""
    workspace = request.workspace
    view = board_view_from(query)
    try:
        board = _build(request, query)
    except Invalid as exc:  # an unknown product key in the URL
        error = error or exc
        status = max(status, 400)
        board = boards.board_build(
            workspace=workspace,
            products=None,
            view=view,
            visible=Visible.for_member(request.membership),
        )
    filters = board.filters
    can_share = role_can(request.membership.role, "view.share")
    context = _board_context(request, board)
    context.update(
        {
            "views": [
                (key, label, _board_url(request, _query(key, filters)))
                for key, label in VIEW_LABELS.items()
            ],
            "view_label": VIEW_LABELS[board.view],
            "error": error,
            "products": [(p.key, p.name) for p in product_list(workspace=workspace)[:50]],
            "teams": [
                (t.key, t.name) for t in team_list(workspace=workspace).order_by("name")[:200]
            ],
            "owners": [
                (m.key, m.user.display_name)
                for m in member_list(workspace=workspace)
                .select_related("user")
                .order_by("pk")[:500]
            ],
            "statuses": FeatureStatus.choices,
            "saved_views": views_of.saved_view_menu(membership=request.membership),
            "save_form": save_form
            or SavedViewForm(initial={"view": board.view}, can_share=can_share),
            "saved_query": urlencode(filters.query()),
            "filtered": bool(filters.query()),
        }
    )
    return render(request, "planning/board.html", context, status=status)


@workspace_view(read="roadmap.view", write=None)
def board(request: WorkspaceRequest) -> HttpResponse:
    return board_page(request, request.GET)


def _target_label(board: boards.Board, value: str) -> str:
    column = board.column(value)
    return column.label if column else value


def _move(request: WorkspaceRequest, view: str) -> tuple[Feature, str, str]:
    """Apply the posted move; (feature, from column, to column)."""
    post = request.POST
    key = post.get("feature", "").strip()[:16]
    column = post.get("column", "").strip()[:40]
    if not key:
        raise Invalid("Choose a feature to move.")
    if not column:
        raise Invalid("Choose where to move it.")
    feature = boards.feature_for_board(workspace=request.workspace, key=key)
    current = boards.column_of(feature, view)
    after, before = post.get("after", "")[:16], post.get("before", "")[:16]
    if column in boards.STEPS:  # the keyboard's "up one place" / "down one place"
        place = boards.step_neighbours(feature, view, column)
        if place is None:
            end = "first" if column == "up" else "last"
            raise Invalid(f"It is already {end} in its column.")
        column, (after, before) = current, place
    with transaction.atomic():
        if column != current:
            value = "" if column == boards.NONE else column
            change = {"releases": "release_key", "horizons": "horizon", "status": "status"}[view]
            feature = feature_move(
                feature=feature,
                actor=request.user,
                membership=request.membership,
                version=parse_version(post.get("version")),
                **{change: value},
            )
        if column != current or after or before:
            boards.feature_rank_set(
                feature=feature,
                actor=request.user,
                membership=request.membership,
                view=view,
                after_key=after,
                before_key=before,
            )
    return feature, current, column


def _refused(feature_title: str, target: str, exc: LodestarError) -> str:
    if isinstance(exc, EditConflict):
        who = ", ".join(sorted({c["who"] for c in exc.changes})) or "Someone"
        return (
            f"“{feature_title}” was not moved: {who} changed it after this board was "
            "loaded. The board now shows their change; move it again if you still want to."
        )
    field_errors = " ".join(m for ms in exc.fields.values() for m in ms)
    detail = exc.message if not exc.fields or exc.message != Invalid.default_message else ""
    reason = " ".join(p for p in (detail, field_errors) if p)
    if feature_title and target:
        return f"“{feature_title}” was not moved to {target}. {reason}"
    if feature_title:
        return f"“{feature_title}” was not moved. {reason}"
    return f"Not moved. {reason}"


@workspace_view(read=None, write="release.manage")
def board_move(request: WorkspaceRequest) -> HttpResponse:
    back = _back(request.POST.get("back", ""))
    view = request.POST.get("view", "")
    if view not in boards.VIEWS:
        view = board_view_from(back)
    back["view"] = view
    title, source, target = "", "", request.POST.get("column", "")[:40]
    try:
        feature, source, target = _move(request, view)
        title = feature.title
    except LodestarError as exc:
        key = request.POST.get("feature", "")[:16]
        found = request.workspace.features.filter(key=key).values_list("title", flat=True)
        title = found.first() or "" if key else ""
        board = _build_quietly(request, back)
        label = "" if target in boards.STEPS else target
        if board and label:
            label = _target_label(board, label)
        message = _refused(title, label, exc)
        if request.htmx:  # type: ignore[attr-defined]
            refreshed = board is not None and isinstance(exc, EditConflict)
            return render(
                request,
                "planning/board_refused.html",
                {
                    "message": message,
                    "board": board,
                    "oob_columns": board.columns if refreshed and board else [],
                    **(_board_context(request, board) if board else {}),
                },
                status=exc.status,
            )
        return board_page(request, back, error=LodestarError(message), status=exc.status)
    board = _build_quietly(request, back)
    label = _target_label(board, target) if board else target
    if source != target:
        message = f"Moved “{title}” to {label}."
    else:
        step = request.POST.get("column", "")
        where = {"up": " up", "down": " down"}.get(step, "")
        message = f"Moved “{title}”{where} in {label}."
    warnings = [w.message for w in getattr(feature, "warnings", []) if hasattr(w, "message")]
    if request.htmx:  # type: ignore[attr-defined]
        columns = [c for c in board.columns if c.value in {source, target}] if board else []
        return render(
            request,
            "planning/board_moved.html",
            {
                "message": message,
                "warnings": warnings,
                "moved": feature.key,
                "oob_columns": columns,
                **(_board_context(request, board) if board else {}),
            },
        )
    messages.success(request, message)
    for w in warnings:
        messages.warning(request, w)
    return redirect(_board_url(request, back.urlencode()) + f"#card-{feature.key}")


def _build_quietly(request: WorkspaceRequest, query: QueryDict) -> boards.Board | None:
    try:
        return _build(request, query)
    except LodestarError:
        return None


# -- saved views ----------------------------------------------------------------------------


def _views_page(
    request: WorkspaceRequest,
    *,
    save_form: SavedViewForm | None = None,
    edit_form: SavedViewEditForm | None = None,
) -> HttpResponse:
    membership = request.membership
    can_share = role_can(membership.role, "view.share")
    rows = []
    for saved in views_of.saved_view_list(membership=membership)[:200]:
        own = saved.owner_id == membership.pk
        form = None
        if own:
            form = (
                edit_form
                if edit_form is not None and edit_form.saved.pk == saved.pk
                else SavedViewEditForm(saved=saved, can_share=can_share)
            )
        rows.append((saved, own, form, views_of.saved_view_url(saved)))
    return render(
        request,
        "planning/views.html",
        {
            "rows": rows,
            "labels": dict(RoadmapView.choices),
            "save_form": save_form,
        },
        status=form_status(*(f for f in (save_form, edit_form) if f is not None)),
    )


@workspace_view(read="roadmap.view", write="roadmap.view")
def saved_views(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    if request.method != "POST":
        return _views_page(request)
    can_share = role_can(membership.role, "view.share")
    form = SavedViewForm(request.POST, can_share=can_share)
    done = submit(
        request,
        form,
        partial(
            views_of.saved_view_create,
            membership=membership,
            query=request.POST.get("query", "")[:2000],
        ),
    )
    if done.ok:
        messages.success(request, f"Saved the view “{done.result.name}”.")
        return redirect(views_of.saved_view_url(done.result))
    if request.POST.get("from") == "board":
        back = _back(request.POST.get("query", ""))
        back["view"] = request.POST.get("view", "horizons")[:10]
        return board_page(request, back, save_form=form, status=400)
    return _views_page(request, save_form=form)


@workspace_view(read=None, write="roadmap.view")
def saved_view_update(request: WorkspaceRequest, view_key: str) -> HttpResponse:
    membership = request.membership
    saved = views_of.saved_view_get(membership=membership, key=view_key)
    can_share = role_can(membership.role, "view.share")
    form = SavedViewEditForm(request.POST, saved=saved, can_share=can_share)
    if form.is_valid():
        try:
            views_of.saved_view_update(
                saved=saved,
                membership=membership,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data["shared"] if "shared" in form.fields else None,
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Saved the view “{saved.name}”.")
            return redirect("roadmap:saved_views", slug=request.workspace.slug)
    return _views_page(request, edit_form=form)


@workspace_view(read="roadmap.view", write="roadmap.view")
def saved_view_delete(request: WorkspaceRequest, view_key: str) -> HttpResponse:
    saved = views_of.saved_view_get(membership=request.membership, key=view_key)
    if request.method == "POST":
        views_of.saved_view_delete(saved=saved, membership=request.membership)
        messages.success(request, f"Deleted the view “{saved.name}”.")
        return redirect("roadmap:saved_views", slug=request.workspace.slug)
    return render(
        request,
        "planning/views_delete.html",
        {"saved": saved, "own": saved.owner_id == request.membership.pk},
    )


# -- what changed since -------------------------------------------------------------------


@workspace_view(read="roadmap.view", write=None)
def changes(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    products = list(product_list(workspace=workspace)[:50])
    form = SinceForm(request.GET or None, products=[(p.key, p.name) for p in products])
    since_raw = request.GET.get("since", "")
    product_key = request.GET.get("product", "")
    product = next((p for p in products if p.key == product_key), None)
    summary, page, status = None, None, 200
    try:
        if product_key and product is None:
            raise Invalid(fields={"product": [f"No product with key “{product_key[:40]}”."]})
        since = history.since_parse(since_raw)
    except Invalid as exc:
        form.is_valid()  # bind, then show the service's messages on the fields
        apply_errors(form, exc)
        status = 400
    else:
        summary = history.changes_summary(workspace=workspace, since=since, product=product)
        page = paginate(
            history.change_list(workspace=workspace, since=since, product=product),
            cursor=request.GET.get("cursor"),
            limit=50,
            newest_first=True,
        )
    query = urlencode(
        [(k, v) for k, v in (("since", since_raw), ("product", product_key)) if v][:2]
    )
    return render(
        request,
        "planning/changes.html",
        {"form": form, "summary": summary, "page": page, "query": query, "product": product},
        status=status,
    )
