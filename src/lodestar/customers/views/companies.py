"""Companies and people: lists with filters, detail pages, create/edit/delete."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.customers import selectors, services
from lodestar.customers.forms import CompanyFilterForm, CompanyForm, PersonForm
from lodestar.feedback.selectors import feedback_list
from lodestar.planning.selectors import features_asked_by
from lodestar.workspaces.access import WorkspaceRequest, workspace_view


def _company_initial(company) -> dict:
    return {
        "name": company.name,
        "domain": company.domain,
        "arr": company.arr,
        "plan": company.plan,
        "segment": company.segment,
        "employees": company.employees,
        "external_id": company.external_id,
        "owner_email": company.owner.user.email if company.owner else "",
    }


@workspace_view(read="customer.view", write="customer.manage")
def companies(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = CompanyForm(request.POST or None)
    done = submit(
        request, form, partial(services.company_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.name} was added.")
        return redirect("customers:company", slug=workspace.slug, company_key=done.result.key)
    filters = CompanyFilterForm(
        request.GET or None, plans=selectors.company_plans(workspace=workspace)
    )
    filters.is_valid()  # a bad value drops that one filter; the others still apply
    chosen = getattr(filters, "cleaned_data", {})
    order = selectors.COMPANY_ORDERS.get(chosen.get("order") or "arr", "-arr")
    queryset = selectors.company_list(
        workspace=workspace,
        q=chosen.get("q", ""),
        segment=chosen.get("segment", ""),
        plan=chosen.get("plan", ""),
        arr_min=chosen.get("arr_min"),
        arr_max=chosen.get("arr_max"),
    )
    page = paginate(queryset, cursor=request.GET.get("cursor"), limit=50, order_by=order)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "customers/companies.html",
        {
            "page": page,
            "filters": filters,
            "form": form,
            "filtered": any(chosen.get(k) for k in ("q", "segment", "plan", "arr_min", "arr_max")),
            "query": query.urlencode(),
        },
        status=form_status(form),
    )


@workspace_view(read="customer.view", write="customer.manage")
def company_detail(request: WorkspaceRequest, company_key: str) -> HttpResponse:
    company = selectors.company_get(workspace=request.workspace, key=company_key)
    form = CompanyForm(request.POST or None, initial=_company_initial(company))
    action = partial(services.company_update, company=company, actor=request.user)
    if submit(request, form, action).ok:
        messages.success(request, f"{company.name} was saved.")
        return redirect("customers:company", slug=request.workspace.slug, company_key=company.key)
    people = selectors.person_list(workspace=request.workspace, company=company).order_by(
        "name", "pk"
    )[:100]
    feedback = (
        feedback_list(workspace=request.workspace, company=company)
        .select_related("person")
        .order_by("-pk")[:20]
    )
    return render(
        request,
        "customers/company.html",
        {
            "company": company,
            "people": people,
            "form": form,
            "feedback": feedback,
            "features": features_asked_by(company=company),
        },
        status=form_status(form),
    )


@workspace_view(read="customer.manage", write="customer.manage")
def company_delete(request: WorkspaceRequest, company_key: str) -> HttpResponse:
    company = selectors.company_get(workspace=request.workspace, key=company_key)
    if request.method == "POST":
        services.company_delete(company=company, actor=request.user)
        messages.success(request, f"{company.name} was deleted; its people were kept.")
        return redirect("customers:companies", slug=request.workspace.slug)
    return render(request, "customers/company_delete.html", {"company": company})


@workspace_view(read="customer.view", write="customer.manage")
def people(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = PersonForm(request.POST or None, initial={"company_domain": request.GET.get("company")})
    done = submit(
        request, form, partial(services.person_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result} was added.")
        person = done.result
        if person.company:
            return redirect(
                "customers:company", slug=workspace.slug, company_key=person.company.key
            )
        return redirect("customers:people", slug=workspace.slug)
    q = request.GET.get("q", "")[:100]
    page = paginate(
        selectors.person_list(workspace=workspace, q=q),
        cursor=request.GET.get("cursor"),
        limit=50,
        order_by="name",
    )
    return render(
        request,
        "customers/people.html",
        {"page": page, "form": form, "q": q, "query": f"q={q}" if q else ""},
        status=form_status(form),
    )


@workspace_view(read="customer.view", write="customer.manage")
def person_detail(request: WorkspaceRequest, person_key: str) -> HttpResponse:
    person = selectors.person_get(workspace=request.workspace, key=person_key)
    initial = {
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "external_id": person.external_id,
        "company_domain": person.company.domain if person.company else "",
    }
    form = PersonForm(request.POST or None, initial=initial)
    if submit(request, form, partial(services.person_update, person=person, actor=request.user)).ok:
        messages.success(request, f"{person} was saved.")
        return redirect("customers:person", slug=request.workspace.slug, person_key=person.key)
    return render(
        request,
        "customers/person.html",
        {"person": person, "form": form},
        status=form_status(form),
    )


@workspace_view(read="customer.manage", write="customer.manage")
def person_delete(request: WorkspaceRequest, person_key: str) -> HttpResponse:
    person = selectors.person_get(workspace=request.workspace, key=person_key)
    if request.method == "POST":
        services.person_delete(person=person, actor=request.user)
        messages.success(request, f"{person} was deleted.")
        return redirect(reverse("customers:people", args=[request.workspace.slug]))
    return render(request, "customers/person_delete.html", {"person": person})
