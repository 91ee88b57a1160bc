"""Companies and people: validation, filters, pages, API."""

import json
from decimal import Decimal

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.customers import services
from lodestar.customers.models import Company, Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Northwind.com/about?x=1", "northwind.com"),
        ("WWW.contoso.co.uk", "contoso.co.uk"),
        ("fabrikam.io:443", "fabrikam.io"),
        ("", ""),
    ],
)
def test_domains_are_normalized(raw, expected):
    assert services.normalize_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("48000", "48000.00"),
        ("$1,250,000.50", "1250000.50"),
        ("1.2M", "1200000.00"),
        ("45k", "45000.00"),
        ("€ 12 000", "12000.00"),
        ("1,200", "1200.00"),
        ("", "0"),
    ],
)
def test_arr_accepts_the_ways_people_write_money(raw, expected):
    values, errors = services.company_values({"arr": raw})
    assert errors == {} and values["arr"] == Decimal(expected)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"arr": "lots"}, "arr"),
        ({"arr": "-5"}, "arr"),
        ({"arr": "1,5"}, "arr"),
        ({"arr": "1,2M"}, "arr"),
        ({"domain": "not a domain"}, "domain"),
        ({"segment": "galactic"}, "segment"),
        ({"employees": "many"}, "employees"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a\x00b"}, "name"),
    ],
)
def test_company_values_name_the_bad_field(data, field):
    _values, errors = services.company_values({"name": "Ok", **data})
    assert field in errors


def test_segments_by_label_or_alias():
    for raw, value in [("Enterprise", "enterprise"), ("Mid-market", "mid_market"), ("SMB", "smb")]:
        assert services.company_values({"segment": raw})[0]["segment"] == value


def test_domain_and_external_id_are_unique_per_workspace(world):
    with pytest.raises(Invalid) as caught:
        services.company_create(
            workspace=world.workspace,
            actor=world["pm"].user,
            name="Northwind again",
            domain="https://northwind.test",
        )
    assert "domain" in caught.value.fields
    # Another workspace may have the same domain.
    other = services.company_create(
        workspace=world.other, actor=world["outsider"].user, name="NW", domain="northwind.test"
    )
    assert other.domain == "northwind.test"


def test_people_link_to_companies_by_domain(world):
    person = services.person_create(
        workspace=world.workspace,
        actor=world["po"].user,
        name="Ola",
        email="OLA@Northwind.test",
        company_domain="www.northwind.test",
    )
    assert person.email == "ola@northwind.test" and person.company == world.company
    with pytest.raises(Invalid) as caught:
        services.person_create(
            workspace=world.workspace, actor=world["po"].user, name="X", company_domain="nope.test"
        )
    assert "company_domain" in caught.value.fields
    with pytest.raises(Invalid) as caught:
        services.person_create(workspace=world.workspace, actor=world["po"].user)
    assert "name" in caught.value.fields


def _company(world, name, **data):
    return services.company_create(
        workspace=world.workspace, actor=world["owner"].user, name=name, **data
    )


def test_company_list_filters_and_sorts(world):
    _company(world, "Alpine Air", arr="2.4M", segment="enterprise", plan="Enterprise")
    _company(world, "Bay Plumbing", arr="18k", segment="smb", plan="Starter")
    _company(world, "Cascade HVAC", arr="240k", segment="mid_market", plan="Growth")
    client = world["contributor"].client()

    def names(query: str) -> list[str]:
        page = client.get(f"/w/acme/customers/?{query}").context["page"]
        return [c.name for c in page.items]

    assert names("") == ["Alpine Air", "Cascade HVAC", "Northwind", "Bay Plumbing"]  # by ARR
    assert names("order=name")[:2] == ["Alpine Air", "Bay Plumbing"]
    assert names("segment=smb") == ["Bay Plumbing"]
    assert names("plan=Growth") == ["Cascade HVAC"]
    assert names("plan=Nope&segment=smb") == ["Bay Plumbing"]  # the bad filter alone drops
    assert names("arr_min=100000&arr_max=500000") == ["Cascade HVAC", "Northwind"]
    assert names("q=plumb") == ["Bay Plumbing"]
    assert names("q=northwind.test") == ["Northwind"]
    # A nonsense filter value is ignored, not an error.
    assert client.get("/w/acme/customers/?arr_min=lots").status_code == 200


def test_pagination_keeps_the_filters(world):
    for i in range(55):
        _company(world, f"Smb {i:02}", arr=str(1000 + i), segment="smb")
    client = world["owner"].client()
    first = client.get("/w/acme/customers/?segment=smb&order=arr")
    page = first.context["page"]
    assert page.count == 55 and len(page.items) == 50
    assert "segment=smb&amp;order=arr&amp;cursor=" in first.content.decode()
    second = client.get(f"/w/acme/customers/?segment=smb&order=arr&cursor={page.next}")
    rest = second.context["page"].items
    assert [c.name for c in rest] == [f"Smb {i:02}" for i in range(4, -1, -1)]


def test_company_page_shows_people_and_saves_edits(world):
    client = world["po"].client()
    url = f"/w/acme/customers/companies/{world.company.key}/"
    page = client.get(url).content.decode()
    assert "Nora North" in page and "120,000 USD" in page
    response = client.post(
        url,
        {"name": "Northwind Traders", "domain": "northwind.test", "arr": "150k",
         "segment": "mid_market", "plan": "Growth", "owner_email": "pm@acme.test"},
    )  # fmt: skip
    assert response.status_code == 302
    company = Company.objects.get(pk=world.company.pk)
    assert company.arr == Decimal("150000") and company.owner.user.email == "pm@acme.test"
    entry = Entry.objects.filter(target_type="company", verb="updated").latest("pk")
    assert entry.changes["arr"] == ["120000.00", "150000.00"]
    bad = client.post(url, {"name": "N", "arr": "much", "owner_email": "ghost@x.test"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"arr"}  # the first failing check reports
    assert Company.objects.get(pk=world.company.pk).name == "Northwind Traders"


def test_deleting_a_company_keeps_its_people(world):
    client = world["owner"].client()
    response = client.post(f"/w/acme/customers/companies/{world.company.key}/delete/")
    assert response.status_code == 302
    assert not Company.objects.filter(pk=world.company.pk).exists()
    assert Person.objects.get(pk=world.person.pk).company is None


def test_stakeholders_do_not_see_customers(world):
    assert world["stakeholder"].client().get("/w/acme/customers/").status_code == 403
    page = world["contributor"].client().get("/w/acme/customers/").content.decode()
    assert "Add a company" not in page  # contributors read, product people manage


def test_people_search_and_create(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/customers/people/",
        {"name": "Sam Lee", "email": "sam@northwind.test", "company_domain": "northwind.test"},
    )
    assert response["Location"] == f"/w/acme/customers/companies/{world.company.key}/"
    found = client.get("/w/acme/customers/people/?q=sam@").context["page"].items
    assert [p.name for p in found] == ["Sam Lee"]


def test_workspace_search_finds_companies_and_people(world):
    results = dict(world["po"].client().get("/w/acme/search/?q=north").context["results"])
    assert [h.label for h in results["Companies"]] == ["Northwind"]
    assert [h.label for h in results["People"]] == ["Nora North"]
    stakeholder = dict(
        world["stakeholder"].client().get("/w/acme/search/?q=north").context["results"]
    )
    assert "Companies" not in stakeholder


def test_api_companies(world):
    api = world["pm"].api()
    created = api.post(
        "/api/v1/workspaces/acme/companies",
        data=json.dumps({"name": "Contoso", "domain": "contoso.test", "arr": "1.5M",
                         "segment": "Enterprise"}),
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert body["arr"] == "1500000.00" and body["segment"] == "enterprise"
    listed = api.get("/api/v1/workspaces/acme/companies?segment=enterprise").json()
    assert [c["name"] for c in listed["items"]] == ["Contoso"] and listed["count"] == 1
    patched = api.patch(
        f"/api/v1/workspaces/acme/companies/{body['key']}",
        data=json.dumps({"plan": "Enterprise"}),
        content_type="application/json",
    ).json()
    assert patched["plan"] == "Enterprise" and patched["arr"] == "1500000.00"
    bad = api.post(
        "/api/v1/workspaces/acme/companies",
        data=json.dumps({"name": "Dup", "domain": "CONTOSO.test"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "domain" in bad.json()["error"]["fields"]
