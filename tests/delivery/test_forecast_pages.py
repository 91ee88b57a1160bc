"""The forecast pages, the delivery settings page and `lodestar forecast`."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from lodestar.delivery import forecast_services as services
from lodestar.delivery.models import DeliverySettings, ReleaseForecast, Risk
from lodestar.planning.share_services import local_today
from tests.delivery.test_forecast_services import make_release, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(world):
    """A release due in 20 days with 20 stories left at 5 a week: certain to be late."""
    today = local_today(world.workspace)  # pages and the CLI forecast from the real today
    team = make_team(world, weekly=(5,) * 12, today=today)
    return make_release(world, team, "Late one", today + timedelta(days=20), stories=24, done=4)


def test_the_list_computes_on_view_and_flags(world, late):
    response = world["stakeholder"].client().get("/w/acme/ship/forecast/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Late one" in body and "At risk" in body
    assert "No stories yet" in body or "No features yet" in body  # world.release has none
    assert ReleaseForecast.objects.filter(release=late).count() == 1
    assert Risk.objects.filter(source_release=late).exists()


def test_the_list_refuses_an_unknown_product(world):
    response = world["pm"].client().get("/w/acme/ship/forecast/?product=nope")
    assert response.status_code == 400


def test_the_release_page_has_the_burnup_and_the_numbers(world, late):
    response = world["po"].client().get(f"/w/acme/ship/forecast/{late.key}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-chart="burnup-figure"' in body and 'data-chart="throughput-figure"' in body
    assert "10000" in body or "10,000" in body
    figure = response.context["burnup"]
    names = [t["name"] for t in figure["data"]]
    assert names[0] == "Done" and "Scope" in names
    assert any(n.startswith("Forecast: 95") for n in names)
    assert figure["layout"]["shapes"][0]["x0"] == late.target.isoformat()
    assert ReleaseForecast.objects.get(release=late).at_risk


def test_the_release_page_says_why_there_is_no_forecast(world):
    response = world["pm"].client().get(f"/w/acme/ship/forecast/{world.release.key}/")
    assert response.status_code == 200
    assert "No features yet" in response.content.decode()
    assert "burnup" not in response.context


def test_another_workspaces_release_is_not_found(world):
    response = world["outsider"].client().get(f"/w/other/ship/forecast/{world.release.key}/")
    assert response.status_code == 404


def test_settings_are_validated_with_line_numbers(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/ship/settings/?product=web",
        {
            "on_time_threshold": "0",
            "over_budget_threshold": "600",
            "report_recipients": "cfo@acme.test\n\nnot-an-email\nceo@acme.test",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"on_time_threshold", "over_budget_threshold", "report_recipients"}
    assert errors["report_recipients"] == ["Line 3: 'not-an-email' is not an email address."]
    assert "Line 3" in response.content.decode()


def test_settings_save_and_show(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/ship/settings/?product=web",
        {
            "on_time_threshold": "80",
            "over_budget_threshold": "25",
            "report_recipients": " cfo@acme.test \nCFO@acme.test\nboard@acme.test",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?product=web")
    row = DeliverySettings.objects.get(product=world.product)
    assert (row.on_time_threshold, row.over_budget_threshold) == (80, 25)
    assert row.report_recipients == "cfo@acme.test\nboard@acme.test"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'value="80"' in page.content.decode()


def test_stakeholders_read_settings_but_cannot_change_them(world):
    client = world["stakeholder"].client()
    page = client.get("/w/acme/ship/settings/")
    assert page.status_code == 200
    assert "Save settings" not in page.content.decode()
    assert "disabled" in page.content.decode()
    response = client.post(
        "/w/acme/ship/settings/",
        {"on_time_threshold": "10", "over_budget_threshold": "10", "report_recipients": ""},
    )
    assert response.status_code == 403
    assert services.delivery_settings(world.product).on_time_threshold == 70
    assert world["po"].client().post("/w/acme/ship/settings/", {}).status_code == 403


def test_cli_json_lists_open_releases(world, late, capsys):
    call_command("forecast", workspace="acme", product="web", format="json")
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["releases"]
    rows = {r["name"]: r for r in out["releases"]}
    row = rows["Late one"]
    assert set(row) == {
        "key",
        "name",
        "target",
        "remaining",
        "p_on_time",
        "p50",
        "p85",
        "p95",
        "at_risk",
        "reason",
    }
    assert row["key"] == late.key and row["remaining"] == 20
    assert row["p_on_time"] == 0.0 and row["at_risk"] is True and row["reason"] == ""
    assert row["target"] == late.target.isoformat() and row["p50"] > row["target"]
    empty = rows["Spring 2027"]
    assert empty["p_on_time"] is None and empty["p50"] is None and empty["reason"]


def test_cli_table_and_errors(world, late, capsys):
    call_command("forecast", workspace="acme", product="web")
    assert "Late one" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No workspace"):
        call_command("forecast", workspace="nope", product="web")
    with pytest.raises(CommandError, match="No product"):
        call_command("forecast", workspace="acme", product="nope")
