"""Releases and milestones: the list, the form, the page with its features, capacity and
dependency warnings; dependencies between features (the panel on the feature page)."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.forms import form_status, submit
from lodestar.planning import release_selectors as selectors
from lodestar.planning import release_services as services
from lodestar.planning.release_forms import (
    DependencyForm,
    ReleaseForm,
    TitleForm,
    rebase,
    shown_version,
    submit_versioned,
    versioned_fields,
)
from lodestar.planning.roadmap_models import Release, ReleaseStatus
from lodestar.planning.selectors import feature_get
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import member_list, product_list, team_list


def _choices(workspace) -> dict:
    return {
        "teams": [(t.key, t.name) for t in team_list(workspace=workspace)[:200]],
        "owners": [
            (m.key, str(m.user)) for m in member_list(workspace=workspace).order_by("pk")[:500]
        ],
    }


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:50]]


@workspace_view(read="roadmap.view")
def releases(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    products = _products(workspace)
    product = request.GET.get("product", "")
    product = product if product in dict(products) else ""
    status = request.GET.get("status", "")
    status = status if status in ReleaseStatus.values else ""
    rows = list(selectors.release_list(workspace=workspace, product=product, status=status)[:300])
    capacity = selectors.release_capacity(releases=rows)
    warnings = selectors.release_warning_counts(releases=rows)
    return render(
        request,
        "planning/releases.html",
        {
            "rows": [(r, capacity[r.pk], warnings[r.pk]) for r in rows],
            "products": products,
            "product": product,
            "statuses": ReleaseStatus.choices,
            "status": status,
            "filtered": bool(product or status),
            "query": urlencode(
                [(k, v) for k, v in (("product", product), ("status", status)) if v]
            ),
        },
    )


@workspace_view(read="release.manage", write="release.manage")
def release_new(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    initial = {"product_key": request.GET.get("product", "")[:20]}
    form = ReleaseForm(
        request.POST or None, products=_products(workspace), **_choices(workspace), initial=initial
    )
    done = submit(
        request, form, partial(services.release_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.name} was added.")
        return redirect("releases:release", slug=workspace.slug, release_key=done.result.key)
    return render(request, "planning/release_new.html", {"form": form}, status=form_status(form))


def _initial(release: Release) -> dict:
    return {
        "name": release.name,
        "kind": release.kind,
        "team_key": release.team.key,
        "start": release.start,
        "target": release.target,
        "status": release.status,
        "goal": release.goal,
        "owner_key": release.owner.key if release.owner else "",
    }


@workspace_view(read="roadmap.view", write="release.manage")
def release_detail(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    workspace = request.workspace
    release = selectors.release_get(workspace=workspace, key=release_key)
    form = ReleaseForm(request.POST or None, **_choices(workspace), initial=_initial(release))
    versioned_fields(form)
    done = submit_versioned(
        request, form, partial(services.release_update, release=release, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{release.name} was saved.")
        return redirect("releases:release", slug=workspace.slug, release_key=release.key)
    release = selectors.release_get(workspace=workspace, key=release_key)  # as saved now
    if done.conflict is not None:
        rebase(form, _initial(release))
    return _detail(
        request,
        release,
        form=form,
        conflict=done.conflict,
        version=shown_version(request, done, release.version),
        status=done.status,
    )


def _detail(request, release, *, status=200, **context) -> HttpResponse:
    features = selectors.features_in(release=release)
    warnings = selectors.dependency_warnings(features=features)
    capacity = selectors.release_capacity(releases=[release])[release.pk]
    context.setdefault("form", None)
    context.setdefault("add_form", TitleForm())
    # The Ship stage's budget summary (delivery/budget_box.html) for those who may see it.
    if role_can(request.membership.role, "budget.view"):
        from lodestar.delivery.budget_selectors import release_budgets

        context.setdefault("budget", release_budgets(releases=[release])[release.pk])
    return render(
        request,
        "planning/release.html",
        {
            "release": release,
            "features": features,
            "warnings": sorted(
                set().union(*warnings.values()), key=lambda w: (w.blocked_title, w.blocker_title)
            ),
            "capacity": capacity,
            "load": selectors.team_load(release=release, capacity=capacity),
            "feature_titles": selectors.addable_titles(release=release),
            "version": release.version,
            **context,
        },
        status=status,
    )


@workspace_view(read=None, write="release.manage")
def release_feature_add(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    release = selectors.release_get(workspace=request.workspace, key=release_key)
    form = TitleForm(request.POST)
    done = submit(
        request,
        form,
        partial(
            services.release_feature_add,
            release=release,
            actor=request.user,
            membership=request.membership,
        ),
    )
    if done.ok:
        feature = done.result
        messages.success(request, f"{feature.title} is now in {release.name}.")
        for warning in feature.warnings:
            messages.warning(request, warning.message)
        return redirect("releases:release", slug=request.workspace.slug, release_key=release.key)
    return _detail(request, release, add_form=form, status=form_status(form))


@workspace_view(read=None, write="release.manage")
def release_feature_remove(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    release = selectors.release_get(workspace=request.workspace, key=release_key)
    feature = services.release_feature_remove(
        release=release,
        actor=request.user,
        membership=request.membership,
        feature_key=request.POST.get("feature", "")[:16],
    )
    messages.success(request, f"{feature.title} was taken out of {release.name}.")
    return redirect("releases:release", slug=request.workspace.slug, release_key=release.key)


@workspace_view(read="release.manage", write="release.manage")
def release_delete(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    release = selectors.release_get(workspace=request.workspace, key=release_key)
    if request.method == "POST":
        services.release_delete(release=release, actor=request.user)
        messages.success(request, f"{release.name} was deleted; its features stay.")
        return redirect("releases:releases", slug=request.workspace.slug)
    count = release.features.count()
    return render(request, "planning/release_delete.html", {"release": release, "count": count})


# -- dependencies (a panel of the feature page) ---------------------------------------------


@workspace_view(read=None, write="release.manage")
def dependency_add(request: WorkspaceRequest, feature_key: str) -> HttpResponse:
    feature = feature_get(workspace=request.workspace, key=feature_key)
    form = DependencyForm(request.POST)
    done = submit(
        request, form, partial(services.dependency_add, feature=feature, actor=request.user)
    )
    if done.ok:
        link = done.result
        messages.success(request, f"{link.blocker.title} now blocks {link.blocked.title}.")
        return redirect("planning:feature", slug=request.workspace.slug, feature_key=feature.key)
    from lodestar.planning.views.features import feature_page

    return feature_page(request, feature, dependency_form=form, status=form_status(form))


@workspace_view(read=None, write="release.manage")
def dependency_remove(request: WorkspaceRequest, feature_key: str) -> HttpResponse:
    feature = feature_get(workspace=request.workspace, key=feature_key)
    services.dependency_remove(
        feature=feature, actor=request.user, other_key=request.POST.get("other", "")[:16]
    )
    messages.success(request, "The dependency was removed.")
    return redirect("planning:feature", slug=request.workspace.slug, feature_key=feature.key)
