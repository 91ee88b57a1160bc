"""Exports of the roadmap: CSV and JSON rows, SVG and PNG of the timeline, the iCal feed of
release dates (parsed with `icalendar`), the Atom feed of shipped features, the HTTP routes
with their content types, `lodestar roadmap export`, and internal fields hidden from those
who may not see them in every format."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from icalendar import Calendar
from PIL import Image

from lodestar.planning import exports
from lodestar.planning.models import Feature, Release, ScoreRecord, ScoringModel
from lodestar.planning.timeline import timeline_build
from lodestar.planning.visibility import Visible
from lodestar.workspaces import services

ATOM = "{http://www.w3.org/2005/Atom}"
INTERNAL = ("customers", "arr", "score")


@pytest.fixture
def roadmap(world):
    """Product "tl" with a release, a milestone, features in them (one asked for by
    Northwind, one shipped) and one with a horizon but no release."""
    owner = world["owner"].user
    product = services.product_create(
        workspace=world.workspace, actor=owner, key="tl", name="Timeline"
    )
    spring = Release.objects.create(
        workspace=world.workspace,
        product=product,
        team=world.team,
        name="Spring",
        goal="Faster boards for big fleets.",
        start=date(2026, 3, 1),
        target=date(2026, 5, 31),
        status="released",
        released_on=date(2026, 6, 2),
    )
    gate = Release.objects.create(
        workspace=world.workspace,
        product=product,
        team=world.team,
        name="Beta gate",
        kind="milestone",
        target=date(2026, 7, 15),
    )
    asked = world.feature
    asked.product, asked.release, asked.owner = product, spring, world["pm"].membership
    asked.team, asked.rank = world.team, 0
    asked.save()
    shipped = Feature.objects.create(
        workspace=world.workspace,
        product=product,
        title="Dark mode",
        status="shipped",
        release=spring,
        rank=1,
    )
    later = Feature.objects.create(
        workspace=world.workspace, product=product, title="Offline maps", horizon="later"
    )
    Feature.objects.create(  # after "Offline maps" by rank, before it by horizon
        workspace=world.workspace, product=product, title="Live chat", horizon="now", rank=9
    )
    return {
        "product": product,
        "spring": spring,
        "gate": gate,
        "asked": asked,
        "shipped": shipped,
        "later": later,
    }


def _products(roadmap):
    return [roadmap["product"]]


def test_rows_one_per_feature_with_internal_columns_only_if_visible(world, roadmap):
    model = ScoringModel.objects.create(
        workspace=world.workspace,
        product=roadmap["product"],
        name="Reach",
        formula="reach",
        is_default=True,
    )
    ScoreRecord.objects.create(
        feature=world.feature,
        model=model,
        value=40,
        formula="reach",
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    ScoreRecord.objects.create(feature=world.feature, model=model, value=55, formula="reach")
    rows = exports.roadmap_rows(
        workspace=world.workspace, products=_products(roadmap), visible=Visible.everything()
    )
    by_title = {r["feature"]: r for r in rows}
    assert list(by_title) == [world.feature.title, "Dark mode", "Live chat", "Offline maps"]
    asked = by_title[world.feature.title]
    assert asked["release"] == "Spring" and asked["release_target"] == "2026-05-31"
    assert asked["team"] == "Platform" and asked["owner"] == "Pm"
    assert asked["customers"] == "Northwind" and asked["arr"] == "120000.00"
    assert asked["score"] == 55  # the latest under the product's default model
    assert by_title["Dark mode"]["score"] is None
    assert by_title["Offline maps"]["release"] == "" and by_title["Offline maps"]["horizon"] == (
        "later"
    )
    hidden = exports.roadmap_rows(
        workspace=world.workspace, products=_products(roadmap), visible=Visible()
    )
    assert all(not set(INTERNAL) & set(row) for row in hidden)
    assert "Northwind" not in json.dumps(hidden)


def test_csv_and_json(world, roadmap):
    text = exports.roadmap_csv(
        workspace=world.workspace, products=_products(roadmap), visible=Visible()
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    titles = [world.feature.title, "Dark mode", "Live chat", "Offline maps"]
    assert [r["feature"] for r in rows] == titles
    assert list(rows[0]) == exports.BASE_COLUMNS
    data = json.loads(
        exports.roadmap_json(
            workspace=world.workspace,
            products=_products(roadmap),
            visible=Visible(customers=True),
        )
    )
    assert data["count"] == 4 and data["columns"][-1] == "customers"
    assert data["items"][0]["customers"] == "Northwind" and "arr" not in data["items"][0]


def test_ical_feed_parses_with_icalendar(world, roadmap):
    body = exports.releases_ics(
        workspace=world.workspace,
        products=_products(roadmap),
        visible=Visible(),
        base_url="https://lodestar.test",
    )
    cal = Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "Acme roadmap: Timeline"
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Timeline: Spring", "Timeline: Beta gate (milestone)"}
    spring, gate = events["Timeline: Spring"], events["Timeline: Beta gate (milestone)"]
    assert spring.decoded("DTSTART") == date(2026, 3, 1)
    assert spring.decoded("DTEND") == date(2026, 6, 1)  # exclusive: the target day included
    assert gate.decoded("DTSTART") == date(2026, 7, 15)
    assert gate.decoded("DTEND") == date(2026, 7, 16)
    assert str(spring["UID"]) == f"release-{roadmap['spring'].key}@lodestar"
    url = f"https://lodestar.test/w/acme/releases/{roadmap['spring'].key}/"
    assert str(spring["URL"]) == url
    assert "Faster boards for big fleets." in str(spring["DESCRIPTION"])
    assert url in str(spring["DESCRIPTION"])
    assert str(spring["STATUS"]) == "CONFIRMED" and str(gate["STATUS"]) == "TENTATIVE"
    # The same UIDs every time: calendars update events in place.
    again = Calendar.from_ical(
        exports.releases_ics(
            workspace=world.workspace,
            products=_products(roadmap),
            visible=Visible(),
            base_url="https://lodestar.test",
            link_path="/s/token/",
        )
    )
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == {str(e["UID"]) for e in events.values()}
    assert {str(e["URL"]) for e in again.walk("VEVENT")} == {"https://lodestar.test/s/token/"}


def test_atom_feed_of_shipped_features(world, roadmap):
    older = Feature.objects.create(
        workspace=world.workspace,
        product=roadmap["product"],
        title="Old export",
        status="shipped",
    )
    older.created_at = older.created_at.replace(year=2020)
    older.save()
    text = exports.shipped_atom(
        workspace=world.workspace,
        products=_products(roadmap),
        visible=Visible(),
        base_url="https://lodestar.test",
        feed_url="/w/acme/roadmap/export.atom",
    )
    root = ET.fromstring(text.encode())
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "Shipped: Acme"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Dark mode", "Old export"]
    first = entries[0]
    assert first.find(f"{ATOM}id").text == f"tag:lodestar,2026:feature/{roadmap['shipped'].key}"
    link = first.find(f"{ATOM}link").get("href")
    assert link == f"https://lodestar.test/w/acme/features/{roadmap['shipped'].key}/"
    assert first.find(f"{ATOM}updated").text.startswith("2026-06-02")
    assert "Northwind" not in text


def test_png_decodes_at_twice_the_layout(world, roadmap):
    timeline = timeline_build(
        workspace=world.workspace,
        products=_products(roadmap),
        visible=Visible(),
        today=date(2026, 6, 20),
    )
    data = exports.timeline_png(timeline)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (round(timeline.width * 2), round(timeline.height * 2))
    # Something was drawn: the released bar's green is there.
    colours = {c for _n, c in image.convert("RGB").getcolors(maxcolors=1_000_000)}
    assert (0x1E, 0x6B, 0x3A) in colours


def test_large_png_is_scaled_down_to_the_pixel_budget(world, roadmap, monkeypatch):
    monkeypatch.setattr(exports, "MAX_PNG_PIXELS", 200_000)
    timeline = timeline_build(
        workspace=world.workspace, products=_products(roadmap), visible=Visible()
    )
    image = Image.open(io.BytesIO(exports.timeline_png(timeline)))
    assert image.size[0] * image.size[1] <= 200_000 * 1.01


# -- the HTTP routes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "disposition"),
    [
        ("csv", "text/csv; charset=utf-8", "attachment"),
        ("json", "application/json", "attachment"),
        ("svg", "image/svg+xml", "attachment"),
        ("png", "image/png", "attachment"),
        ("ics", "text/calendar; charset=utf-8", "inline"),
        ("atom", "application/atom+xml; charset=utf-8", "inline"),
    ],
)
def test_export_routes(world, roadmap, fmt, content_type, disposition):
    response = world["pm"].client().get(f"/w/acme/roadmap/export.{fmt}?product=tl")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (f'{disposition}; filename="roadmap-acme-tl.{fmt}"')
    assert response.content


def test_stakeholders_get_no_internal_field_in_any_format(world, roadmap):
    pm, stakeholder = world["pm"].client(), world["stakeholder"].client()
    assert b"Northwind" in pm.get("/w/acme/roadmap/export.csv?product=tl").content
    for fmt in ("csv", "json", "svg", "ics", "atom"):
        body = stakeholder.get(f"/w/acme/roadmap/export.{fmt}?product=tl").content
        assert b"Northwind" not in body and b"120000" not in body, fmt
    header = stakeholder.get("/w/acme/roadmap/export.csv?product=tl").content.splitlines()[0]
    assert header.decode().split(",") == exports.BASE_COLUMNS
    page = stakeholder.get("/w/acme/roadmap/?product=tl").content
    assert b"Northwind" not in page
    assert b"Internal fields (customers, ARR, scores) are left out." in page


def test_export_route_filters_and_errors(world, roadmap):
    pm = world["pm"].client()
    svg = pm.get("/w/acme/roadmap/export.svg?product=tl&group=product&zoom=month").content
    root = ET.fromstring(svg)
    assert "Timeline" in "".join(root.itertext())
    assert f"http://testserver/w/acme/releases/{roadmap['spring'].key}/".encode() in svg
    assert pm.get("/w/acme/roadmap/export.csv?product=nope").status_code == 404
    assert pm.get("/w/acme/roadmap/export.csv?zoom=year").status_code == 400
    assert pm.post("/w/acme/roadmap/export.csv").status_code == 405
    assert world["outsider"].client().get("/w/acme/roadmap/export.csv").status_code == 404


# -- the CLI --------------------------------------------------------------------------------


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("roadmap", "export", "--workspace", "acme", *args, stdout=out)
    return out.getvalue()


def test_cli_exports(world, roadmap, tmp_path):
    rows = list(csv.DictReader(io.StringIO(_cli("--product", "tl", "--format", "csv"))))
    assert [r["feature"] for r in rows][:2] == [world.feature.title, "Dark mode"]
    assert rows[0]["customers"] == "Northwind"
    hidden = _cli("--product", "tl", "--format", "csv", "--hide-internal")
    assert "Northwind" not in hidden
    data = json.loads(_cli("--product", "tl", "--format", "json"))
    assert data["count"] == 4
    svg = _cli("--product", "tl", "--format", "svg", "--zoom", "month")
    assert ET.fromstring(svg.encode()).tag.endswith("svg")
    cal = Calendar.from_ical(_cli("--product", "tl", "--format", "ics"))
    assert len(cal.walk("VEVENT")) == 2
    assert "<feed" in _cli("--product", "tl", "--format", "atom")
    target = tmp_path / "roadmap.png"
    assert "Wrote" in _cli("--product", "tl", "--format", "png", "--output", str(target))
    assert Image.open(target).format == "PNG"
    every = _cli("--format", "csv")  # no --product: every product
    assert "Spring 2027" in every or "Offline maps" in every


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "nope", "--format", "csv"], "No workspace 'nope'"),
        (["--workspace", "acme", "--product", "nope", "--format", "csv"], "No product 'nope'"),
        (["--workspace", "acme", "--format", "pdf"], "Unknown format 'pdf'"),
        (["--workspace", "acme", "--format", "csv", "--group", "x"], "Unknown grouping 'x'"),
    ],
)
def test_cli_errors(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("roadmap", "export", *args, stdout=io.StringIO())


def test_cli_refuses_png_to_a_terminal(world, roadmap, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(CommandError, match="--output"):
        call_command("roadmap", "export", "--workspace", "acme", "--format", "png", stdout=Tty())
