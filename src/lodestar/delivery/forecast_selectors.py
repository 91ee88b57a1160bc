"""Reads for the delivery forecast pages: each open release with its forecast of the day and
the schedule risk proposed from it, a release's burn-up (done stories over time) and the
Plotly figures of its page. Every function takes the workspace's objects, already
access-checked by the view."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from lodestar.core.errors import NotFound
from lodestar.delivery.forecast_services import OPEN_STATUSES, Outlook
from lodestar.delivery.models import (
    ReleaseForecast,
    Risk,
    RiskSource,
    RiskStatus,
)
from lodestar.planning.backlog_models import StoryStatus, UserStory
from lodestar.planning.roadmap_models import Release
from lodestar.workspaces.models import Product, Workspace

# Proposals and accepted risks a forecast page links to (dismissed and closed ones: not).
LINKED_STATUSES = (RiskStatus.PROPOSED, RiskStatus.OPEN, RiskStatus.MITIGATING)


@dataclass
class ReleaseRow:
    release: Release
    forecast: ReleaseForecast | None
    risk: Risk | None


def open_releases(product: Product) -> list[Release]:
    return list(
        Release.objects.filter(product=product, status__in=OPEN_STATUSES)
        .select_related("team")
        .order_by("target", "created_at", "pk")
    )


def forecast_risks(releases: list[Release]) -> dict[int, Risk]:
    """{release id: the risk the forecast proposed for it} (pending or accepted)."""
    found: dict[int, Risk] = {}
    for risk in Risk.objects.filter(
        source_release__in=releases, source=RiskSource.FORECAST, status__in=LINKED_STATUSES
    ).order_by("-created_at"):
        assert risk.source_release_id is not None
        found.setdefault(risk.source_release_id, risk)
    return found


def release_rows(product: Product, *, day: date) -> list[ReleaseRow]:
    """The product's open releases in target order, each with its forecast of `day` (None
    when not computed yet) and its forecast risk."""
    releases = open_releases(product)
    rows = {f.release_id: f for f in ReleaseForecast.objects.filter(release__in=releases, day=day)}
    risks = forecast_risks(releases)
    return [ReleaseRow(r, rows.get(r.pk), risks.get(r.pk)) for r in releases]


def latest_forecasts(product: Product) -> list[ReleaseForecast]:
    """The latest stored forecast of each open release of the product, in target order
    (status reports read these; `forecast_services.refresh_product` brings them up to date)."""
    latest: dict[int, ReleaseForecast] = {}
    for row in (
        ReleaseForecast.objects.filter(release__product=product, release__status__in=OPEN_STATUSES)
        .select_related("release")
        .order_by("release_id", "-day", "-pk")
    ):
        latest.setdefault(row.release_id, row)
    return sorted(latest.values(), key=lambda f: (f.release.target, f.release.name))


def forecast_release_get(*, workspace: Workspace, key: str) -> Release:
    try:
        return Release.objects.select_related("workspace", "product", "team", "owner__user").get(
            workspace=workspace, key=key
        )
    except Release.DoesNotExist:
        raise NotFound("No such release.") from None


def stored_forecast(release: Release, *, day: date) -> ReleaseForecast | None:
    return ReleaseForecast.objects.filter(release=release, day=day).first()


def done_days(release: Release) -> list[date]:
    """The day (workspace time zone) each done story of the release was done, in order."""
    tz = zoneinfo.ZoneInfo(release.workspace.time_zone)
    stamps = (
        UserStory.objects.filter(feature__release=release, status=StoryStatus.DONE)
        .exclude(done_at=None)
        .order_by("done_at")
        .values_list("done_at", flat=True)
    )
    return [stamp.astimezone(tz).date() for stamp in stamps if stamp is not None]


# -- figures --------------------------------------------------------------------------------

DONE_COLOUR = "#1d4ed8"
SCOPE_COLOUR = "#374151"
CONE_COLOURS = {"p50": "#047857", "p85": "#b45309", "p95": "#b91c1c"}


def burnup_figure(outlook: Outlook, days: list[date]) -> dict:
    """Done stories cumulative over time, the scope as a line, the forecast cone from today
    (the stories done in 50 / 85 / 95 % of the trials by each week's end, the 85-95 band
    shaded) and the target date marked. Dates as ISO text."""
    release, today = outlook.release, outlook.day or date.today()
    start = min([d for d in (release.start, *days[:1]) if d is not None], default=today)
    start = min(start, today)
    xs, ys = [start.isoformat()], [0]
    for done, day in enumerate(days, start=1):
        xs.append(day.isoformat())
        ys.append(done)
    # Stories done since may carry a done_at after today's start: end the line at today.
    xs.append(today.isoformat())
    ys.append(outlook.done)
    traces: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines",
            "line": {"shape": "hv", "color": DONE_COLOUR, "width": 3},
            "name": "Done",
            "x": xs,
            "y": ys,
            "hovertemplate": "%{x}: %{y} done<extra></extra>",
        }
    ]
    f = outlook.forecast
    end = max(d for d in (today, release.target, f and f.p95, f and f.cone[-1].day) if d)
    if f is not None and f.cone:
        cone_x = [p.day.isoformat() for p in f.cone]
        for name, label in (("p95", "95 % sure"), ("p85", "85 % sure"), ("p50", "50 % (median)")):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"Forecast: {label}",
                    "x": cone_x,
                    "y": [outlook.done + getattr(p, name) for p in f.cone],
                    "line": {"color": CONE_COLOURS[name], "width": 2, "dash": "dot"},
                    "fill": "tonexty" if name == "p85" else "none",
                    "fillcolor": "rgba(180, 83, 9, 0.12)",
                    "hovertemplate": f"%{{x}}: %{{y}} done ({label})<extra></extra>",
                }
            )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Scope",
            "x": [start.isoformat(), end.isoformat()],
            "y": [outlook.total, outlook.total],
            "line": {"color": SCOPE_COLOUR, "width": 2, "dash": "dash"},
            "hovertemplate": "Scope: %{y} stories<extra></extra>",
        }
    )
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "y domain",
            "x0": release.target.isoformat(),
            "x1": release.target.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": "#b91c1c", "width": 2},
        },
        {
            "type": "line",
            "xref": "x",
            "yref": "y domain",
            "x0": today.isoformat(),
            "x1": today.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": "#6b7280", "width": 1, "dash": "dot"},
        },
    ]
    annotations = [
        {
            "x": release.target.isoformat(),
            "y": 1,
            "xref": "x",
            "yref": "y domain",
            "text": f"Target {release.target.isoformat()}",
            "showarrow": False,
            "xanchor": "right",
            "yanchor": "bottom",
            "font": {"color": "#991b1b"},
        },
        {
            "x": today.isoformat(),
            "y": 0,
            "xref": "x",
            "yref": "y domain",
            "text": "Today",
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "bottom",
            "font": {"color": "#374151"},
        },
    ]
    return {
        "data": traces,
        "layout": {
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
            "xaxis": {
                "type": "date",
                "range": [start.isoformat(), (end + timedelta(7)).isoformat()],
            },
            "yaxis": {"title": {"text": "Stories done"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.15},
            "shapes": shapes,
            "annotations": annotations,
        },
        "config": {"displayModeBar": False},
    }


def throughput_figure(history: list[tuple[date, int]]) -> dict:
    """The team's stories done per week, the history the forecast draws from."""
    return {
        "data": [
            {
                "type": "bar",
                "name": "Stories done",
                "x": [monday.isoformat() for monday, _count in history],
                "y": [count for _monday, count in history],
                "marker": {"color": DONE_COLOUR},
                "hovertemplate": "Week of %{x}: %{y} stories<extra></extra>",
            }
        ],
        "layout": {
            "height": 240,
            "margin": {"l": 50, "r": 20, "t": 10, "b": 40},
            "xaxis": {"type": "date", "tickformat": "%d %b"},
            "yaxis": {"title": {"text": "Stories"}, "rangemode": "tozero"},
            "bargap": 0.2,
        },
        "config": {"displayModeBar": False},
    }
