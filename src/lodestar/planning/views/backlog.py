"""The product owner's backlog: stories in rank order, a story with its acceptance criteria,
iterations, and a team's weekly throughput (see docs/plan-backlog.md)."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from lodestar.core.errors import Invalid
from lodestar.core.forms import apply_errors, form_status, submit
from lodestar.core.pagination import paginate
from lodestar.planning import backlog_selectors as selectors
from lodestar.planning import backlog_services as services
from lodestar.planning.backlog_forms import CriterionForm, StoryForm
from lodestar.planning.backlog_models import StoryStatus, UserStory
from lodestar.planning.concurrency import EditConflict
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import team_list

FILTER_NAMES = ("team", "feature", "iteration", "status", "owner")
PAGE_SIZE = 50


def _teams(workspace) -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in team_list(workspace=workspace).order_by("name")[:200]]


def _story_form_choices(workspace, story=None, feature_key: str = "") -> dict:
    return selectors.story_form_choices(workspace=workspace, story=story, feature_key=feature_key)


def _filters(workspace, params) -> tuple[selectors.StoryFilters, dict[str, str]]:
    """The backlog's filters from GET (the page) or POST (the move buttons): unknown values
    are dropped, never an error (a stale bookmark still opens the backlog)."""
    raw = {name: str(params.get(name, ""))[:40] for name in FILTER_NAMES}
    team = selectors.team_or_none(workspace=workspace, key=raw["team"])
    if team is None:
        raw["team"] = ""
    if raw["status"] not in StoryStatus.values:
        raw["status"] = ""
    filters = selectors.StoryFilters(
        team=team,
        feature=raw["feature"],
        iteration=raw["iteration"],
        status=raw["status"],
        owner=raw["owner"],
    )
    return filters, {k: v for k, v in raw.items() if v}


def _backlog_url(workspace, query: dict[str, str], anchor: str = "") -> str:
    url = reverse("backlog:backlog", args=[workspace.slug])
    if query:
        url += "?" + urlencode(query)
    return url + (f"#story-{anchor}" if anchor else "")


@workspace_view(read="roadmap.view", write="backlog.manage")
def backlog(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    filters, query = _filters(workspace, request.GET)
    choices = _story_form_choices(workspace, feature_key=filters.feature)
    form = StoryForm(
        request.POST or None,
        **choices,
        initial={"feature_key": filters.feature, "iteration_key": filters.iteration},
    )
    done = submit(
        request,
        form,
        partial(
            services.story_create,
            workspace=workspace,
            actor=request.user,
            membership=request.membership,
        ),
    )
    if done.ok:
        messages.success(request, f"{done.result.title} was added to the bottom of the backlog.")
        return redirect(_backlog_url(workspace, query, done.result.key))
    page = paginate(
        selectors.story_list(workspace=workspace, filters=filters),
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
        order_by="rank",
    )
    selectors.with_criteria_counts(page.items)
    throughput = selectors.team_throughput(team=filters.team, weeks=12) if filters.team else None
    return render(
        request,
        "planning/backlog.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "selected": query,
            "query": urlencode(query),
            "teams": _teams(workspace),
            "features": choices["features"],
            "iterations": choices["iterations"],
            "owners": choices["owners"],
            "statuses": StoryStatus.choices,
            "throughput": throughput,
            "bars": selectors.throughput_bars(throughput or []),
            "top_points": max((r[2] for r in throughput or []), default=0),
            "can_rank": _can(request, "backlog.manage"),
        },
        status=form_status(form),
    )


def _can(request: WorkspaceRequest, permission: str) -> bool:
    return role_can(request.membership.role, permission)


def _wants_json(request: WorkspaceRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or bool(
        getattr(request, "htmx", False)
    )


@workspace_view(read=None, write="backlog.manage")
def story_rank(request: WorkspaceRequest) -> HttpResponse:
    """Move one story. Drag and drop (backlog.js) posts `story` and its new neighbours
    `after` (now above it) and `before` (now below it); the keyboard buttons post `move`
    (up, down, top) with the page's filters, and the neighbour is found in that list."""
    workspace = request.workspace
    key = request.POST.get("story", "")
    if not key:
        raise Invalid("Say which story to move.", fields={"story": ["Required."]})
    story = selectors.story_get(workspace=workspace, key=key)
    filters, query = _filters(workspace, request.POST)
    move = request.POST.get("move", "")
    after = before = None
    if move:
        if move not in {"up", "down", "top"}:
            raise Invalid(fields={"move": ["Use up, down or top."]})
        neighbour = selectors.story_neighbour(
            workspace=workspace, story=story, filters=filters, direction=move
        )
        if neighbour is None:  # already first or last: nothing to do
            return _moved(request, story, query)
        if move == "down":
            after = neighbour
        else:
            before = neighbour
    else:
        after = selectors.story_by_key(
            workspace=workspace, key=request.POST.get("after", ""), field="after"
        )
        before = selectors.story_by_key(
            workspace=workspace, key=request.POST.get("before", ""), field="before"
        )
        if after is None and before is None:
            raise Invalid(
                "Say where the story goes: after one story or before another.",
                fields={"after": ["Give after or before."]},
            )
    services.story_move(
        story=story, actor=request.user, membership=request.membership, after=after, before=before
    )
    return _moved(request, story, query)


def _moved(request: WorkspaceRequest, story: UserStory, query: dict[str, str]) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"story": story.key, "rank": story.rank})
    messages.success(request, f"Moved {story.title}.")
    return redirect(_backlog_url(request.workspace, query, story.key))


# -- a story --------------------------------------------------------------------------------


def _story_initial(story: UserStory) -> dict:
    return {
        "title": story.title,
        "feature_key": story.feature.key,
        "as_a": story.as_a,
        "i_want": story.i_want,
        "so_that": story.so_that,
        "points": story.points,
        "status": story.status,
        "owner_key": story.owner.key if story.owner else "",
        "iteration_key": story.iteration.key if story.iteration else "",
        "version": story.version,
    }


def _story_page(request: WorkspaceRequest, story: UserStory, **extra) -> HttpResponse:
    status = extra.pop("status", 200)
    form = extra.pop("form", None)
    if form is None:
        form = StoryForm(
            **_story_form_choices(request.workspace, story),
            editing=True,
            initial=_story_initial(story),
        )
    criteria = selectors.criteria_of(story)
    context = {
        "story": story,
        "criteria": criteria,
        "criteria_done": sum(1 for c in criteria if c.done),
        "sentence": selectors.story_sentence(story),
        "form": form,
        "criterion_form": extra.pop("criterion_form", None) or CriterionForm(),
        "can_update": services.can_update_story(request.membership, story),
        "statuses": StoryStatus.choices,
        **extra,
    }
    if status == 200:
        status = form_status(form, context["criterion_form"])
    return render(request, "planning/story.html", context, status=status)


@workspace_view(read="roadmap.view", write="backlog.manage")
def story_detail(request: WorkspaceRequest, story_key: str) -> HttpResponse:
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    if request.method != "POST":
        return _story_page(request, story)
    choices = _story_form_choices(request.workspace, story)
    form = StoryForm(request.POST, **choices, editing=True)
    try:
        done = submit(
            request,
            form,
            partial(
                services.story_update,
                story=story,
                actor=request.user,
                membership=request.membership,
            ),
        )
    except EditConflict as conflict:
        # Theirs is saved; yours is re-shown as typed, now against their version, so a
        # second save applies yours on top of theirs knowingly (and keeps the rest of theirs).
        story = selectors.story_get(workspace=request.workspace, key=story_key)
        data = request.POST.copy()
        data["version"] = str(story.version)
        # What they changed and you left alone shows their value, so saving again keeps it.
        current = _story_initial(story)
        for name in selectors.untouched_fields(
            workspace=request.workspace, posted=data.dict(), changes=conflict.changes
        ):
            value = current[name]
            data[name] = "" if value is None else str(value)
        form = StoryForm(data, **choices, editing=True)
        form.is_valid()
        return _story_page(request, story, form=form, conflict=conflict, status=conflict.status)
    if done.ok:
        messages.success(request, "Story saved.")
        return redirect("backlog:story", slug=request.workspace.slug, story_key=story.key)
    return _story_page(request, story, form=form)


@workspace_view(read="backlog.manage", write="backlog.manage")
def story_delete(request: WorkspaceRequest, story_key: str) -> HttpResponse:
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    if request.method == "POST":
        services.story_delete(story=story, actor=request.user, membership=request.membership)
        messages.success(request, f"{story.title} was deleted with its acceptance criteria.")
        return redirect("backlog:backlog", slug=request.workspace.slug)
    return render(request, "planning/story_delete.html", {"story": story})


def _back(request: WorkspaceRequest, story: UserStory) -> HttpResponse:
    """Back to where the form was (a safe `next`), else the story page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("backlog:story", slug=request.workspace.slug, story_key=story.key)


@workspace_view(read=None, write="story.update")
def story_status(request: WorkspaceRequest, story_key: str) -> HttpResponse:
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    status = request.POST.get("status", "")
    if status not in StoryStatus.values:
        raise Invalid(fields={"status": [f"Use one of {', '.join(StoryStatus.values)}."]})
    services.story_status(
        story=story, actor=request.user, membership=request.membership, status=status
    )
    messages.success(request, f"{story.title} is now {story.get_status_display().lower()}.")
    return _back(request, story)


def _criteria_response(request: WorkspaceRequest, story: UserStory, **extra) -> HttpResponse:
    """The checklist partial for htmx, else back to the story page."""
    if getattr(request, "htmx", False):
        criteria = selectors.criteria_of(story)
        return render(
            request,
            "planning/story_criteria.html",
            {
                "story": story,
                "criteria": criteria,
                "criteria_done": sum(1 for c in criteria if c.done),
                "can_update": services.can_update_story(request.membership, story),
                "can": {"backlog_manage": _can(request, "backlog.manage")},
                **extra,
            },
        )
    return _back(request, story)


@workspace_view(read=None, write="backlog.manage")
def criteria_add(request: WorkspaceRequest, story_key: str) -> HttpResponse:
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    form = CriterionForm(request.POST)
    done = submit(
        request,
        form,
        partial(
            services.criterion_add, story=story, actor=request.user, membership=request.membership
        ),
    )
    if done.ok:
        return _criteria_response(request, story)
    return _story_page(request, story, criterion_form=form)


@workspace_view(read=None, write="story.update")
def criterion_tick(request: WorkspaceRequest, story_key: str, criterion_id: int) -> HttpResponse:
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    criterion = selectors.criterion_get(story=story, criterion_id=criterion_id)
    done = request.POST.get("done", "") in {"on", "1", "true"}
    services.criterion_tick(
        criterion=criterion, actor=request.user, membership=request.membership, done=done
    )
    return _criteria_response(request, story)


@workspace_view(read=None, write="backlog.manage")
def criterion_edit(request: WorkspaceRequest, story_key: str, criterion_id: int) -> HttpResponse:
    """One criterion: action=save (new text), remove, up, down."""
    story = selectors.story_get(workspace=request.workspace, key=story_key)
    criterion = selectors.criterion_get(story=story, criterion_id=criterion_id)
    action = request.POST.get("action", "save")
    who: dict[str, Any] = {"actor": request.user, "membership": request.membership}
    if action == "remove":
        services.criterion_remove(criterion=criterion, **who)
    elif action in {"up", "down"}:
        services.criterion_move(criterion=criterion, direction=action, **who)
    elif action == "save":
        try:
            services.criterion_update(criterion=criterion, text=request.POST.get("text", ""), **who)
        except Invalid as exc:
            form = CriterionForm({"text": request.POST.get("text", "")})
            form.is_valid()
            apply_errors(form, exc)
            return _story_page(request, story, criterion_form=form, editing=criterion.pk)
    else:
        raise Invalid(fields={"action": ["Use save, remove, up or down."]})
    return _criteria_response(request, story)
