"""The delivery forecast pages: each open release's chance of landing on time, a release's
burn-up with the forecast cone, and the product's delivery settings (see
docs/ship-forecast.md)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.forms import form_status, submit
from lodestar.delivery import forecast_selectors as selectors
from lodestar.delivery import forecast_services as services
from lodestar.delivery.forecast_forms import DeliverySettingsForm
from lodestar.delivery.models import Risk
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.product_choice import chosen_product


def _register_url(slug: str) -> str:
    return reverse("risks:register", kwargs={"slug": slug})


def _risk_url(risk: Risk | None, slug: str) -> str | None:
    if risk is None:
        return None
    return reverse("risks:risk", kwargs={"slug": slug, "risk_key": risk.key})


@workspace_view(read="forecast.view")
def forecast_list(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    context: dict = {"products": products, "product": product}
    if product is not None:
        day = services.ensure_today(product)
        rows = selectors.release_rows(product, day=day)
        slug = request.workspace.slug
        context |= {
            "day": day,
            "rows": [(row, _risk_url(row.risk, slug)) for row in rows],
            "at_risk": sum(1 for row in rows if row.forecast and row.forecast.at_risk),
            "threshold": services.delivery_settings(product).on_time_threshold,
            "register_url": _register_url(slug),
        }
    return render(request, "delivery/forecast.html", context)


@workspace_view(read="forecast.view")
def forecast_release(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    release = selectors.forecast_release_get(workspace=request.workspace, key=release_key)
    outlook = services.release_outlook(release)
    stored = selectors.stored_forecast(release, day=outlook.day) if outlook.day else None
    risk = selectors.forecast_risks([release]).get(release.pk)
    context = {
        "release": release,
        "outlook": outlook,
        "forecast": outlook.forecast,
        "stored": stored,
        "risk": risk,
        "risk_url": _risk_url(risk, request.workspace.slug),
        "register_url": _register_url(request.workspace.slug),
        "threshold": services.delivery_settings(release.product).on_time_threshold,
    }
    if outlook.total:
        context["burnup"] = selectors.burnup_figure(outlook, selectors.done_days(release))
    if outlook.history:
        context["throughput"] = selectors.throughput_figure(outlook.history)
    return render(request, "delivery/forecast_release.html", context)


@workspace_view(read="forecast.view", write="delivery.configure")
def delivery_settings(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    if product is None:
        return render(request, "delivery/settings.html", {"products": products, "product": None})
    row = services.delivery_settings(product)
    initial = {
        "on_time_threshold": row.on_time_threshold,
        "over_budget_threshold": row.over_budget_threshold,
        "report_recipients": row.report_recipients,
    }
    can_change = role_can(request.membership.role, "delivery.configure")
    form = DeliverySettingsForm(request.POST or None, initial=initial)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    done = submit(
        request,
        form,
        partial(services.settings_update, product=product, actor=request.user),
    )
    if done.ok:
        messages.success(request, f"Delivery settings of {product.name} saved.")
        url = reverse("forecast:settings", kwargs={"slug": request.workspace.slug})
        return redirect(f"{url}?product={product.key}")
    return render(
        request,
        "delivery/settings.html",
        {"products": products, "product": product, "form": form, "can_change": can_change},
        status=form_status(form),
    )
