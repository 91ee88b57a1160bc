"""The "my work" page: what the signed-in member owns in the Plan stage."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from lodestar.planning.my_work import LISTED, RECENT_DAYS, my_work
from lodestar.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view(read="roadmap.view")
def my_work_page(request: WorkspaceRequest) -> HttpResponse:
    work = my_work(membership=request.membership)
    return render(
        request,
        "planning/my_work.html",
        {"work": work, "listed": LISTED, "recent_days": RECENT_DAYS},
    )
