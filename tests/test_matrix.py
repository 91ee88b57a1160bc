"""The value-versus-effort matrix: who may see it, which features it places where (effort
across, the chosen value up, quadrants at the medians), which it leaves off and why, its
empty states, a query count that does not grow with features, and plotly.js served by us."""

import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.planning.matrix import quadrant_of
from lodestar.planning.scoring_services import (
    driver_values_set,
    scoring_model_create,
    scoring_model_delete,
)
from lodestar.planning.services import feature_create
from lodestar.workspaces import services as workspace_services

pytestmark = pytest.mark.django_db

URL = "/w/acme/features/matrix/"

# title, reach, impact, confidence, effort: RICE = reach * impact * confidence / effort
FEATURES = [
    ("Route optimizer", 2000, 2, 0.8, "4"),  # 800: high value, high effort
    ("Driver app dark mode", 500, 1, 1, "1"),  # 500: high value, low effort
    ("Geofence alerts", 100, 1, 1, "8"),  # 12.5: low value, high effort
    ("Bulk job import", 50, 1, 1, "2"),  # 25: low value, low effort
    ("Fuel card import", 300, 3, 0.5, "0"),  # cannot be scored: effort 0
    ("Tachograph sync", 100, 2, None, "2"),  # cannot be scored: no confidence
]


def _features(world, rows=FEATURES):
    pm = world["pm"].user
    made = {}
    for title, reach, impact, confidence, effort in rows:
        f = feature_create(
            workspace=world.workspace, actor=pm, title=title, product_key="web", effort=effort
        )
        driver_values_set(
            feature=f, actor=pm,
            values={"reach": reach, "impact": impact, "confidence": confidence},
        )  # fmt: skip
        made[title] = f
    return made


def _figure(response) -> dict:
    page = response.content.decode()
    found = re.search(r'<script id="matrix-figure" type="application/json">(.*?)</script>', page)
    assert found, "no figure on the page"
    return json.loads(found.group(1))


def _points(figure) -> dict[str, tuple[float, float]]:
    """Plotted feature key -> (effort, value), over every trace."""
    out = {}
    for trace in figure["data"]:
        out.update(
            {k: (x, y) for k, x, y in zip(trace["customdata"], trace["x"], trace["y"], strict=True)}
        )
    return out


def test_readers_see_it_outsiders_do_not(world):
    _features(world)
    assert world["stakeholder"].client().get(URL).status_code == 200
    assert world["outsider"].client().get(URL).status_code == 404
    assert world["anonymous"].client().get(URL).status_code == 302


def test_another_workspaces_model_is_not_found(world):
    theirs = scoring_model_create(
        workspace=world.other, product=world.other_product, actor=world["outsider"].user,
        name="Theirs", kind="ice",
    )  # fmt: skip
    response = world["pm"].client().get(f"{URL}?model={theirs.key}")
    assert response.status_code == 404
    assert world["pm"].client().get(f"{URL}?product=other-web").status_code == 404


def test_points_and_quadrants_of_known_features(world):
    made = _features(world)
    response = world["pm"].client().get(f"{URL}?model={world.scoring_model.key}")
    assert response.status_code == 200
    figure = _figure(response)
    # All the features are new: one trace, with a name for the legend.
    assert [t["name"] for t in figure["data"]] == ["New"]
    points = _points(figure)
    assert points == {
        made["Route optimizer"].key: (4, 800),
        made["Driver app dark mode"].key: (1, 500),
        made["Geofence alerts"].key: (8, 12.5),
        made["Bulk job import"].key: (2, 25),
    }
    # Medians: effort (2 + 4) / 2 = 3, value (25 + 500) / 2 = 262.5, drawn as dashed lines.
    lines = {(s["x0"], s["y0"]) for s in figure["layout"]["shapes"]}
    assert (3, 0) in lines and (0, 262.5) in lines
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert labels == ["Quick wins", "Big bets", "Fill-ins", "Money pits"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Effort (points)"
    assert figure["layout"]["yaxis"]["title"]["text"] == "Score (RICE)"

    page = response.content.decode()
    quadrant = dict(
        re.findall(r'/features/(\w+)/">[^<]+</a></td>.*?<td>([A-Z][\w -]+)</td></tr>', page)
    )
    assert quadrant == {
        made["Route optimizer"].key: "Big bets",
        made["Driver app dark mode"].key: "Quick wins",
        made["Geofence alerts"].key: "Money pits",
        made["Bulk job import"].key: "Fill-ins",
    }
    # Left off, each with why: the world's own feature has no estimate.
    assert "Not on the matrix: 3 features" in page
    assert f'{world.feature.key}/">{world.feature.title}</a>: no effort estimate' in page
    assert "Fuel card import</a>: cannot be scored: division by zero" in page
    assert "Tachograph sync</a>: cannot be scored: missing value for “confidence”" in page


def test_other_value_measures(world):
    made = _features(world)
    client = world["pm"].client()
    page = client.get(URL).content.decode()
    for label in ["Score (RICE)", "Weighted ARR at stake", "Companies asking", "Reach", "Impact"]:
        assert f">{label}</option>" in page
    # Companies asking: every estimated feature has a value (0 here), even at effort 0.
    figure = _figure(client.get(f"{URL}?value=demand_companies"))
    points = _points(figure)
    assert len(points) == 6 and points[made["Fuel card import"].key] == (0, 0)
    assert figure["layout"]["yaxis"]["title"]["text"] == "Companies asking"
    # An entered driver: a feature without it is left off, saying so.
    response = client.get(f"{URL}?value=confidence")
    assert made["Tachograph sync"].key not in _points(_figure(response))
    assert "Tachograph sync</a>: no confidence value" in response.content.decode()


def test_status_colours_and_sizes(world):
    made = _features(world)
    from lodestar.planning.services import feature_update

    feature_update(feature=made["Route optimizer"], actor=world["pm"].user, status="planned")
    feature_update(feature=made["Bulk job import"], actor=world["pm"].user, status="shipped")
    client = world["pm"].client()
    open_traces = {t["name"]: t for t in _figure(client.get(URL))["data"]}
    assert set(open_traces) == {"New", "Planned"}  # open: shipped features are not shown
    assert open_traces["Planned"]["customdata"] == [made["Route optimizer"].key]
    colours = {t["marker"]["color"] for t in open_traces.values()}
    assert len(colours) == 2
    every = {t["name"] for t in _figure(client.get(f"{URL}?status=all"))["data"]}
    assert every == {"New", "Planned", "Shipped"}


def test_titles_are_escaped_for_plotly(world):
    pm = world["pm"].user
    f = feature_create(
        workspace=world.workspace, actor=pm, title="<b>Bold</b> & co", product_key="web", effort="3"
    )
    response = world["pm"].client().get(f"{URL}?value=demand_companies")
    (trace,) = _figure(response)["data"]
    assert trace["text"][trace["customdata"].index(f.key)] == "&lt;b&gt;Bold&lt;/b&gt; &amp; co"


def test_empty_states(world):
    client = world["pm"].client()
    # A product with a model and no features.
    mobile = workspace_services.product_create(
        workspace=world.workspace, actor=world["owner"].user, key="mobile", name="Mobile"
    )
    model = scoring_model_create(
        workspace=world.workspace, product=mobile, actor=world["pm"].user, name="ICE", kind="ice"
    )
    page = client.get(f"{URL}?model={model.key}").content.decode()
    assert "Mobile has no features" in page and "matrix-figure" not in page
    # No scoring model at all.
    scoring_model_delete(model=model, actor=world["pm"].user)
    scoring_model_delete(model=world.scoring_model, actor=world["pm"].user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No scoring model yet" in page and 'href="/w/acme/features/scoring/"' in page
    assert "plotly.min.js" not in page


def test_quadrant_of_counts_a_median_on_the_better_side():
    at = {"effort_median": 3.0, "value_median": 10.0}
    assert quadrant_of(effort=3, value=10, **at) == "quick_wins"
    assert quadrant_of(effort=3.5, value=10, **at) == "big_bets"
    assert quadrant_of(effort=3, value=9, **at) == "fill_ins"
    assert quadrant_of(effort=4, value=9, **at) == "money_pits"


def test_query_count_does_not_grow_with_features(world):
    client = world["pm"].client()
    rows = [(f"Feature {i:02}", 100 + i, 1, 1, str(1 + i % 5)) for i in range(30)]
    _features(world, rows[:3])
    client.get(URL)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _features(world, rows[3:])
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(_points(_figure(response))) == 30
    assert len(many) == len(few)


def test_the_page_loads_plotly_from_this_server(world):
    _features(world)
    page = world["pm"].client().get(URL).content.decode()
    assert 'src="/static/plotly/plotly.min.js"' in page
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "loads something from another host"


def test_plotly_js_is_a_static_file_and_nothing_else_of_its_package(client):
    response = client.get("/static/plotly/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly.js v" in b"".join(response.streaming_content)[:200]
    assert client.get("/static/plotly/widgetbundle.js").status_code == 404
    assert client.get("/static/lodestar/plotly.css").status_code == 200


def test_collectstatic_copies_plotly_js_alone(tmp_path, settings):
    settings.STATIC_ROOT = str(tmp_path)
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "plotly" / "plotly.min.js").stat().st_size > 1_000_000
    assert sorted(p.name for p in (tmp_path / "plotly").iterdir()) == ["plotly.min.js"]


def test_the_plotly_include_matches_the_installed_plotly_js():
    """core/_plotly.html names the element ids plotly.js looks for before it inserts an inline
    <style>; a new plotly.js may change them (then the browser tests see CSP errors)."""
    from pathlib import Path

    from django.template.loader import get_template

    from lodestar.core.staticfiles import plotly_js_dir

    include = Path(get_template("core/_plotly.html").origin.name).read_text()
    js = (plotly_js_dir() / "plotly.min.js").read_text()
    for element_id in re.findall(r'id="([^"]+)"', include):
        assert f'"{element_id}"' in js or f'"{element_id.split("-global")[0]}-"' in js, element_id


def test_mixed_units_are_put_in_weeks_by_team_capacity(world):
    from lodestar.planning.matrix import matrix_build
    from lodestar.planning.services import feature_create
    from lodestar.workspaces.models import Team

    pm = world["pm"].user
    Team.objects.filter(pk=world.team.pk).update(capacity_points=10)
    made = {}
    for title, effort, unit, team in [
        ("In weeks", "3", "weeks", ""),
        ("Twenty points", "20", "points", world.team.key),
        ("Points without capacity", "5", "points", ""),
    ]:
        made[title] = feature_create(
            workspace=world.workspace, actor=pm, title=title, product_key="web",
            effort=effort, effort_unit=unit, team_key=team,
        )  # fmt: skip
    matrix = matrix_build(model=world.scoring_model, status="", measure="demand_companies")
    assert matrix.effort_unit == "weeks"
    efforts = {p.feature.title: p.effort for p in matrix.points}
    assert efforts == {"In weeks": 3.0, "Twenty points": 2.0}  # 20 points / 10 a week
    reasons = {r.feature.title: r.reason for r in matrix.left_off}
    assert reasons["Points without capacity"] == (
        "effort in points and no team capacity to turn it into weeks"
    )
