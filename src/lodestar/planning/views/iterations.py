"""Iteration pages and a team's throughput."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.errors import Invalid
from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.planning import backlog_selectors as selectors
from lodestar.planning import iteration_services
from lodestar.planning.backlog_forms import IterationForm
from lodestar.planning.views.backlog import PAGE_SIZE, _can, _teams
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import team_get

# -- iterations -----------------------------------------------------------------------------


@workspace_view(read="roadmap.view", write="backlog.manage")
def iterations(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    teams = _teams(workspace)
    form = IterationForm(request.POST or None, teams=teams)
    done = submit(
        request,
        form,
        partial(
            iteration_services.iteration_create,
            workspace=workspace,
            actor=request.user,
            membership=request.membership,
        ),
    )
    if done.ok:
        messages.success(request, f"{done.result.name} was added.")
        return redirect("backlog:iteration", slug=workspace.slug, iteration_key=done.result.key)
    team_key = request.GET.get("team", "")
    team = selectors.team_or_none(workspace=workspace, key=team_key)
    page = paginate(
        selectors.iteration_list(workspace=workspace, team=team),
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
        order_by="-start",
    )
    return render(
        request,
        "planning/iterations.html",
        {
            "page": page,
            "form": form,
            "teams": teams,
            "team": team.key if team else "",
            "query": urlencode({"team": team.key}) if team else "",
        },
        status=form_status(form),
    )


@workspace_view(read="roadmap.view", write="backlog.manage")
def iteration_detail(request: WorkspaceRequest, iteration_key: str) -> HttpResponse:
    """An iteration's stories and points; POST action=edit (default), plan, unplan, delete."""
    workspace = request.workspace
    iteration = selectors.iteration_get(workspace=workspace, key=iteration_key)
    who: dict[str, Any] = {"actor": request.user, "membership": request.membership}
    form = IterationForm(
        request.POST or None,
        editing=True,
        initial={"name": iteration.name, "start": iteration.start, "end": iteration.end},
    )
    plan_error = ""
    if request.method == "POST":
        action = request.POST.get("action", "edit")
        here = redirect("backlog:iteration", slug=workspace.slug, iteration_key=iteration.key)
        if action == "delete":
            iteration_services.iteration_delete(iteration=iteration, **who)
            messages.success(request, f"{iteration.name} was deleted; its stories are unplanned.")
            return redirect("backlog:iterations", slug=workspace.slug)
        if action in {"plan", "unplan"}:
            story = selectors.story_by_key(
                workspace=workspace, key=request.POST.get("story", ""), field="story"
            )
            if story is None:
                plan_error = "Choose a story to plan."
            else:
                try:
                    iteration_services.iteration_plan(
                        iteration=iteration, story=story, planned=action == "plan", **who
                    )
                except Invalid as exc:
                    plan_error = " ".join(
                        [m for msgs in exc.fields.values() for m in msgs] or [exc.message]
                    )
                else:
                    verb = "planned into" if action == "plan" else "taken out of"
                    messages.success(request, f"{story.title} was {verb} {iteration.name}.")
                    return here
            form = IterationForm(
                editing=True,
                initial={"name": iteration.name, "start": iteration.start, "end": iteration.end},
            )
        elif submit(
            request, form, partial(iteration_services.iteration_update, iteration=iteration, **who)
        ).ok:
            messages.success(request, "Iteration saved.")
            return here
    stories = selectors.with_criteria_counts(
        list(
            selectors.story_list(
                workspace=workspace, filters=selectors.StoryFilters(iteration=iteration.key)
            ).order_by("rank", "pk")[:500]
        )
    )
    return render(
        request,
        "planning/iteration.html",
        {
            "iteration": iteration,
            "stories": stories,
            "form": form,
            "plannable": selectors.plannable_stories(iteration=iteration)
            if _can(request, "backlog.manage")
            else [],
            "plan_error": plan_error,
        },
        status=400 if plan_error else form_status(form),
    )


# -- throughput -----------------------------------------------------------------------------


@workspace_view(read="roadmap.view")
def team_throughput(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    team = team_get(workspace=request.workspace, key=team_key)
    try:
        weeks = min(max(int(request.GET.get("weeks", "26")), 1), 104)
    except ValueError:
        weeks = 26
    team.workspace = request.workspace  # the selector reads its time zone
    rows = selectors.team_throughput(team=team, weeks=weeks)
    return render(
        request,
        "planning/backlog_throughput.html",
        {
            "team": team,
            "weeks": weeks,
            "throughput": rows,
            "bars": selectors.throughput_bars(rows),
            "top_points": max((r[2] for r in rows), default=0),
            "total_stories": sum(r[1] for r in rows),
            "total_points": sum(r[2] for r in rows),
        },
    )
