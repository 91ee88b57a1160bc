"""Experiment pages: the list, create and edit, start, stop and delete (each confirmed), and
the sample size calculator. The experiment's own page (its results) is
`experiment_results:experiment` (views/results.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.errors import Invalid
from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.experiments import selectors, services
from lodestar.experiments.forms import CalculatorForm, ExperimentForm
from lodestar.experiments.models import Experiment
from lodestar.planning.release_forms import shown_version, submit_versioned
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.models import Product
from lodestar.workspaces.product_choice import chosen_product


def _experiment_url(request: WorkspaceRequest, experiment: Experiment) -> str:
    return reverse(
        "experiment_results:experiment",
        kwargs={"slug": request.workspace.slug, "experiment_key": experiment.key},
    )


def _list_url(request: WorkspaceRequest, product: Product) -> str:
    base = reverse("experiments:list", kwargs={"slug": request.workspace.slug})
    return f"{base}?{urlencode({'product': product.key})}"


@workspace_view(read="experiment.view")
def experiment_list(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    context: dict[str, Any] = {"products": products, "product": product}
    if product is None:
        return render(request, "experiments/list.html", context)
    status = (request.GET.get("status") or "").strip()
    q = (request.GET.get("q") or "").strip()[:200]
    page = paginate(
        selectors.experiment_list(product=product, status=status, q=q),
        cursor=request.GET.get("cursor"),
        newest_first=True,
        limit=50,
    )
    context.update(
        page=page,
        status=status,
        q=q,
        statuses=selectors.STATUS_FILTERS,
        filtered=bool(status or q),
        any_at_all=bool(page.items) or selectors.experiment_list(product=product).exists(),
        query=urlencode(
            [(k, v) for k, v in (("product", product.key), ("status", status), ("q", q)) if v]
        ),
    )
    return render(request, "experiments/list.html", context)


def _form(request: WorkspaceRequest, product: Product, **kwargs) -> ExperimentForm:
    return ExperimentForm(
        request.POST or None,
        features=selectors.feature_choices(product),
        charts=selectors.funnel_charts(product),
        **kwargs,
    )


def _saver(form: ExperimentForm, service, **fixed):
    """The action `submit` calls: the form's data to the service, its errors back to rows."""

    def save(**extra):
        version = extra.get("version")
        try:
            data = form.service_data()
            if "version" in extra:
                data["version"] = version
            return service(**fixed, **data)
        except Invalid as exc:
            raise form.remap(exc) from None

    return save


@workspace_view(read="experiment.manage", write="experiment.manage")
def experiment_new(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    if product is None:
        raise Invalid("Add a product first: an experiment belongs to a product.")
    form = _form(request, product)
    save = _saver(form, services.experiment_create, product=product, actor=request.user)
    done = submit(request, form, lambda **_data: save())
    if done.ok:
        messages.success(request, f"“{done.result.name}” was created as a draft.")
        return redirect(_experiment_url(request, done.result))
    return render(
        request,
        "experiments/form.html",
        {"form": form, "product": product, "products": products, "experiment": None},
        status=form_status(form),
    )


@workspace_view(read="experiment.manage", write="experiment.manage")
def experiment_edit(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    frozen = experiment.started_at is not None
    form = _form(
        request,
        experiment.product,
        initial=ExperimentForm.initial_for(experiment),
        frozen=frozen,
    )
    save = _saver(form, services.experiment_update, experiment=experiment, actor=request.user)
    done = submit_versioned(request, form, lambda version, **_data: save(version=version))
    if done.ok:
        messages.success(
            request, "The experiment was saved." if done.result else "Nothing changed."
        )
        return redirect(_experiment_url(request, experiment))
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    return render(
        request,
        "experiments/form.html",
        {
            "form": form,
            "product": experiment.product,
            "experiment": experiment,
            "metrics": selectors.metric_list(experiment),
            "conflict": done.conflict,
            "version": shown_version(request, done, experiment.version),
        },
        status=done.status,
    )


def _confirm(
    request: WorkspaceRequest, experiment: Experiment, action: str, **extra
) -> HttpResponse:
    return render(
        request,
        "experiments/setup_confirm.html",
        {"experiment": experiment, "action": action, **extra},
    )


@workspace_view(read="experiment.manage", write="experiment.manage")
def experiment_start(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    if request.method == "POST":
        services.experiment_start(experiment=experiment, actor=request.user)
        verb = "resumed" if experiment.started_at else "started"
        messages.success(request, f"“{experiment.name}” {verb}: exposures are counted from now.")
        return redirect(_experiment_url(request, experiment))
    return _confirm(
        request,
        experiment,
        "start",
        problems=services.start_problems(experiment),
        primary=selectors.primary_metric(experiment),
    )


@workspace_view(read="experiment.manage", write="experiment.manage")
def experiment_stop(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    if request.method == "POST":
        services.experiment_stop(experiment=experiment, actor=request.user)
        messages.success(request, f"“{experiment.name}” stopped: no more exposures are counted.")
        return redirect(_experiment_url(request, experiment))
    return _confirm(request, experiment, "stop")


@workspace_view(read="experiment.manage", write="experiment.manage")
def experiment_delete(request: WorkspaceRequest, experiment_key: str) -> HttpResponse:
    experiment = selectors.experiment_get(workspace=request.workspace, key=experiment_key)
    if request.method == "POST":
        product = experiment.product
        services.experiment_delete(experiment=experiment, actor=request.user)
        messages.success(request, f"“{experiment.name}” was deleted.")
        return redirect(_list_url(request, product))
    return _confirm(request, experiment, "delete")


# -- the calculator -----------------------------------------------------------------------


def _calculate(data: dict[str, Any]) -> dict[str, Any]:
    from lodestar.experiments.stats import power

    binomial = data["metric"] == "binomial"
    mean = data["baseline"] / 100 if binomial else data["baseline"]
    per_arm = power.sample_size(
        data["metric"],
        mean,
        None if binomial else data["stddev"],
        data["minimum_effect"] / 100,
        alpha=data["alpha"],
        power=data["power"],
        arms=data["arms"],
        sequential=data["sequential"],
    )
    result: dict[str, Any] = {"per_arm": per_arm, "total": per_arm * data["arms"], "days": None}
    if data.get("daily"):
        result["days"] = power.duration_days(per_arm, data["arms"], float(data["daily"]))
    return result


@workspace_view(read="experiment.view")
def calculator(request: WorkspaceRequest) -> HttpResponse:
    experiment = None
    baseline = None
    initial: dict[str, Any] = {}
    key = (request.GET.get("experiment") or "").strip()
    if key:
        experiment = selectors.experiment_get(workspace=request.workspace, key=key)
        baseline = selectors.calculator_baseline(experiment)
        initial = {
            "metric": baseline.metric,
            "minimum_effect": float(experiment.minimum_effect),
            "alpha": float(experiment.alpha),
            "power": float(experiment.power),
            "arms": len(experiment.variants) or 2,
            "sequential": experiment.sequential,
        }
        if baseline.mean is not None:
            initial["baseline"] = round(
                baseline.mean * 100 if baseline.metric == "binomial" else baseline.mean, 4
            )
        if baseline.stddev is not None:
            initial["stddev"] = round(baseline.stddev, 4)
        if baseline.daily:
            initial["daily"] = max(round(baseline.daily), 1)
    asked = "baseline" in request.GET
    form = CalculatorForm(request.GET if asked else None, initial=initial)
    result = None
    if asked and form.is_valid():
        try:
            result = _calculate(form.cleaned_data)
        except Invalid as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "experiments/calculator.html",
        {"form": form, "result": result, "experiment": experiment, "baseline": baseline},
        status=form_status(form) if asked else 200,
    )
