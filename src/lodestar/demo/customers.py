"""Acme Field Service's customers: heating, plumbing, electrical and other trades businesses
that schedule technicians with Acme. Domains use the reserved `.example` TLD, so no demo
address can ever reach a real inbox."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from lodestar.activity.services import activity_record
from lodestar.customers.models import Company, Person, Segment
from lodestar.workspaces.models import Membership, Workspace

PLACES = (
    "Ridgeway", "Bluebonnet", "Summit", "Cedar Valley", "Lakeshore", "Ironwood", "Prairie",
    "Harbor", "Granite State", "Red River", "Silver Creek", "Tri-County", "Mesa", "Northgate",
    "Copper Canyon", "Evergreen", "Twin Cities", "Magnolia", "Pioneer", "Coastal", "Heartland",
    "Blue Ridge", "Sunbelt", "Keystone", "Lone Star", "Frontier", "Bayou", "Capitol",
    "Riverbend", "Highland", "Oak Hollow", "Desert Sun", "Great Lakes", "Piedmont", "Alpine",
)  # fmt: skip
TRADES = (
    ("Heating & Air", "hvac"), ("Plumbing", "plumbing"), ("Electric", "electric"),
    ("Mechanical", "mech"), ("Pest Control", "pest"), ("Garage Doors", "garagedoors"),
    ("Landscaping", "landscape"), ("Roofing", "roofing"), ("Appliance Repair", "appliance"),
    ("Fire & Safety", "firesafety"), ("Pool Service", "pools"), ("Home Services", "homeservices"),
)  # fmt: skip
SUFFIXES = ("", " Co.", " Inc.", " Services", " Pros", " & Sons", " Group", " LLC")
TITLES = (
    "Owner", "Operations Manager", "Dispatch Supervisor", "Service Manager", "Office Manager",
    "Lead Technician", "General Manager", "IT Director", "COO", "Customer Care Lead",
    "Controller", "VP Operations",
)  # fmt: skip
FIRST = (
    "Ava", "Brandon", "Carla", "Derek", "Erin", "Frank", "Gina", "Hector", "Isabel", "Jamal",
    "Kara", "Luis", "Megan", "Nate", "Olivia", "Pablo", "Renee", "Scott", "Tanya", "Vince",
    "Wendy", "Xavier", "Yolanda", "Zach", "Bianca", "Curtis", "Dolores", "Eddie", "Fiona",
)  # fmt: skip
LAST = (
    "Alvarez", "Brooks", "Chen", "Dawson", "Ellis", "Foster", "Garcia", "Hughes", "Ingram",
    "Jensen", "Kowalski", "Lopez", "Murphy", "Nguyen", "Owens", "Patel", "Quintero", "Reyes",
    "Sullivan", "Thompson", "Underwood", "Vasquez", "Whitaker", "Young", "Zimmerman",
)  # fmt: skip

# (plan, segment, employees range, ARR range in USD): what each kind of customer pays.
TIERS = (
    ("Starter", Segment.SMB, (3, 25), (3_600, 14_000), 55),
    ("Growth", Segment.SMB, (15, 60), (15_000, 48_000), 20),
    ("Growth", Segment.MID_MARKET, (50, 300), (40_000, 150_000), 15),
    ("Enterprise", Segment.MID_MARKET, (200, 600), (120_000, 320_000), 6),
    ("Enterprise", Segment.ENTERPRISE, (600, 9_000), (250_000, 1_400_000), 4),
)

Progress = Callable[[str, int, int], None]


def build_customers(
    rng: random.Random,
    workspace: Workspace,
    actor,
    owners: list[Membership],
    count: int,
    report: Progress,
) -> list[Company]:
    companies: list[Company] = []
    seen: set[str] = set()
    weights = [tier[-1] for tier in TIERS]
    while len(companies) < count:
        place, (trade, slug) = rng.choice(PLACES), rng.choice(TRADES)
        suffix = rng.choice(SUFFIXES)
        word = suffix.strip().rstrip("s")
        if word and (word in trade or ("&" in word and "&" in trade)):
            suffix = ""  # not "Pool Service Services" or "Heating & Air & Sons"
        name = f"{place} {trade}{suffix}"
        base = place.lower().replace(" ", "").replace("-", "") + slug
        if base in seen:
            base = f"{base}{len(seen) % 97}"
            if base in seen:
                continue
        seen.add(base)
        plan, segment, (lo_emp, hi_emp), (lo_arr, hi_arr), _w = rng.choices(TIERS, weights)[0]
        arr = Decimal(round(rng.uniform(lo_arr, hi_arr) / 100) * 100)
        companies.append(
            Company(
                workspace=workspace,
                name=name,
                domain=f"{base}.example",
                external_id=f"CRM-{10_000 + len(companies)}",
                arr=arr,
                plan=plan,
                segment=segment,
                employees=rng.randint(lo_emp, hi_emp),
                owner=rng.choice(owners) if owners and rng.random() < 0.8 else None,
            )
        )
    Company.objects.bulk_create(companies, batch_size=500)
    report("companies", count, count)
    companies = list(Company.objects.filter(workspace=workspace).order_by("pk"))
    people: list[Person] = []
    for company in companies:
        contacts = 1 + min(int((company.employees or 1) ** 0.25), 4)
        for _ in range(rng.randint(1, contacts)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = f"{first}.{last}".lower()
            if any(p.email == f"{local}@{company.domain}" for p in people[-6:]):
                local = f"{local}{rng.randint(2, 9)}"
            people.append(
                Person(
                    workspace=workspace,
                    name=f"{first} {last}",
                    email=f"{local}@{company.domain}",
                    title=rng.choice(TITLES),
                    company=company,
                )
            )
    Person.objects.bulk_create(people, batch_size=1000, ignore_conflicts=True)
    report("contacts", len(people), len(people))
    activity_record(
        workspace=workspace,
        actor=actor,
        verb="imported",
        target_type="companies",
        target_label=f"{len(companies)} companies from the CRM export",
        changes={"created": [None, len(companies)], "people": [None, len(people)]},
    )
    return companies
