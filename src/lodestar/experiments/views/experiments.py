"""Experiment pages: the list, create and edit, start and stop."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from lodestar.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view(read="experiment.view")
def experiment_list(request: WorkspaceRequest) -> HttpResponse:
    return render(request, "experiments/list.html", {})
