"""The value-versus-effort matrix: each feature of a product placed by its effort (x) and a
value measure (y), split into four quadrants at the medians.

The numbers come from scoring (`scoring_selectors.scoring_inputs`, read once, then
`score_all` for the model's score; the same inputs give demand and entered drivers), so the
matrix and the ranking never disagree.
Building it takes a fixed number of queries whatever the number of features."""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

from lodestar.planning import scoring_selectors as scoring
from lodestar.planning.models import EffortUnit, Feature, FeatureStatus, ScoringModel

SCORE = "score"
DEMAND_MEASURES = {
    "demand_weighted_arr": "Weighted ARR at stake",
    "demand_companies": "Companies asking",
}

# Quadrant keys in reading order, with their names and what they mean.
QUADRANTS = {
    "quick_wins": ("Quick wins", "high value, low effort"),
    "big_bets": ("Big bets", "high value, high effort"),
    "fill_ins": ("Fill-ins", "low value, low effort"),
    "money_pits": ("Money pits", "low value, high effort"),
}

# Okabe-Ito colours (told apart with colour-blindness), and a symbol per status as well.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    FeatureStatus.NEW: ("#0072B2", "circle"),
    FeatureStatus.UNDER_CONSIDERATION: ("#E69F00", "diamond"),
    FeatureStatus.PLANNED: ("#009E73", "square"),
    FeatureStatus.IN_PROGRESS: ("#CC79A7", "triangle-up"),
    FeatureStatus.SHIPPED: ("#56B4E9", "star"),
    FeatureStatus.WONT_DO: ("#7F7F7F", "x"),
}
MIN_SIZE, MAX_SIZE = 8, 30  # marker diameter in pixels, from no company asking to the most


@dataclass(frozen=True)
class Measure:
    key: str
    label: str


@dataclass
class Point:
    feature: Feature
    effort: float
    value: float
    companies: int
    quadrant: str = ""

    @property
    def quadrant_name(self) -> str:
        return QUADRANTS[self.quadrant][0]


@dataclass
class LeftOff:
    feature: Feature
    reason: str


@dataclass
class Matrix:
    model: ScoringModel
    measure: Measure
    measures: list[Measure]
    effort_unit: str  # "points" or "weeks" (points turned into weeks when both are used)
    points: list[Point] = field(default_factory=list)
    left_off: list[LeftOff] = field(default_factory=list)
    effort_median: float | None = None
    value_median: float | None = None
    error: str = ""  # the model's formula does not parse (measure "score" only)

    @property
    def by_quadrant(self) -> list[tuple[str, str, str, list[Point]]]:
        """(key, name, meaning, points by value, highest first) for each quadrant."""
        out = []
        for key, (name, meaning) in QUADRANTS.items():
            rows = [p for p in self.points if p.quadrant == key]
            rows.sort(key=lambda p: (-p.value, p.effort, p.feature.title.lower()))
            out.append((key, name, meaning, rows))
        return out

    def figure(self) -> dict:
        """The Plotly figure: one trace per status, as compact arrays; the medians as dashed
        lines and the quadrant names in the corners. Each point's customdata is its key."""
        traces = []
        statuses = dict(FeatureStatus.choices)
        most = max((p.companies for p in self.points), default=0)
        unit = self.effort_unit
        for status, (colour, symbol) in STATUS_STYLE.items():
            rows = [p for p in self.points if p.feature.status == status]
            if not rows:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": str(statuses[status]),
                    "x": [_round(p.effort) for p in rows],
                    "y": [_round(p.value) for p in rows],
                    # Plotly reads text as its small HTML subset: escape the titles.
                    "text": [html.escape(p.feature.title, quote=False) for p in rows],
                    "customdata": [p.feature.key for p in rows],
                    "marker": {
                        "color": colour,
                        "symbol": symbol,
                        "size": [_size(p.companies, most) for p in rows],
                        "opacity": 0.8,
                        "line": {"width": 1, "color": "#ffffff"},
                    },
                    "hovertemplate": (
                        # No <b> nor <i>: Plotly draws them with style attributes, which
                        # the Content-Security-Policy refuses.
                        f"%{{text}}<br>{statuses[status]}<br>Effort: %{{x}} {unit}"
                        f"<br>{html.escape(self.measure.label)}: %{{y:,}}<extra></extra>"
                    ),
                }
            )
        shapes, annotations = [], []
        if self.effort_median is not None and self.value_median is not None:
            dashed = {"color": "#6b7280", "width": 1, "dash": "dash"}
            shapes = [
                {"type": "line", "xref": "x", "yref": "y domain", "x0": self.effort_median,
                 "x1": self.effort_median, "y0": 0, "y1": 1, "line": dashed},
                {"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1,
                 "y0": self.value_median, "y1": self.value_median, "line": dashed},
            ]  # fmt: skip
            corners = {
                "quick_wins": (0, 1, "left", "top"),
                "big_bets": (1, 1, "right", "top"),
                "fill_ins": (0, 0, "left", "bottom"),
                "money_pits": (1, 0, "right", "bottom"),
            }
            for key, (x, y, xanchor, yanchor) in corners.items():
                annotations.append(
                    {"text": QUADRANTS[key][0], "xref": "x domain",
                     "yref": "y domain", "x": x, "y": y, "xanchor": xanchor,
                     "yanchor": yanchor, "showarrow": False,
                     "font": {"color": "#374151", "size": 13, "weight": "bold"}}
                )  # fmt: skip
        layout = {
            "height": 560,
            "margin": {"l": 70, "r": 20, "t": 30, "b": 60},
            "hovermode": "closest",
            "xaxis": {"title": {"text": f"Effort ({unit})"}, "rangemode": "tozero",
                      "zeroline": False},
            "yaxis": {"title": {"text": self.measure.label}, "zeroline": False},
            "showlegend": True,  # even for one status: the legend names the colours
            "legend": {"title": {"text": "Status"}},
            "shapes": shapes,
            "annotations": annotations,
        }  # fmt: skip
        return {"data": traces, "layout": layout, "config": {"displaylogo": False}}


def _round(value: float) -> float:
    return round(value, 4)


def _size(companies: int, most: int) -> int:
    if most <= 0:
        return MIN_SIZE
    return round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(companies / most))


def measures_of(model: ScoringModel) -> list[Measure]:
    """The value measures the page offers for a model: its score, demand, and the entered
    drivers its formula uses."""
    out = [Measure(SCORE, f"Score ({model.name})")]
    out += [Measure(key, label) for key, label in DEMAND_MEASURES.items()]
    for name in scoring.entered_drivers(model_formulas=[model.formula], weights=model.weights):
        out.append(Measure(name, name.replace("_", " ").capitalize()))
    return out


def quadrant_of(*, effort: float, value: float, effort_median: float, value_median: float) -> str:
    """A point on a median line counts on the better side: high value, low effort."""
    high_value = value >= value_median
    low_effort = effort <= effort_median
    if high_value:
        return "quick_wins" if low_effort else "big_bets"
    return "fill_ins" if low_effort else "money_pits"


def _one_unit(matrix: Matrix, units: Mapping[int, tuple[str, int | None]]) -> None:
    """Put every point's effort in one unit: the features' own when they share it; else weeks,
    points turned into weeks by the team's capacity (points per week). A feature in points
    whose team has no capacity cannot be placed among weeks: it is left off, saying why."""
    used = {units.get(p.feature.pk, (EffortUnit.POINTS, None))[0] for p in matrix.points}
    if len(used) <= 1:
        matrix.effort_unit = str(used.pop()) if used else str(EffortUnit.POINTS)
        return
    matrix.effort_unit = str(EffortUnit.WEEKS)
    placed = []
    for point in matrix.points:
        unit, capacity = units.get(point.feature.pk, (EffortUnit.POINTS, None))
        if unit == EffortUnit.WEEKS:
            placed.append(point)
        elif capacity:
            point.effort = point.effort / capacity
            placed.append(point)
        else:
            reason = "effort in points and no team capacity to turn it into weeks"
            matrix.left_off.append(LeftOff(point.feature, reason))
    matrix.points = placed


def matrix_build(*, model: ScoringModel, status: str = "", measure: str = SCORE) -> Matrix:
    """The matrix of the model's product: features with status `status` ("open", one status,
    or "" for all), valued by `measure` (a key of `measures_of(model)`, else the score)."""
    measures = measures_of(model)
    chosen = next((m for m in measures if m.key == measure), measures[0])
    # Read once, scored once: the same inputs give the score and every other measure.
    inputs = scoring.scoring_inputs(product=model.product, status=status)
    ranking = scoring.score_all(inputs, model.formula, model.weights)
    values = inputs.values
    # The unit is not among the fields scoring loads: one query for the whole product.
    estimated = Feature.objects.filter(
        workspace_id=model.workspace_id, product_id=model.product_id, effort__isnull=False
    )
    units = {
        pk: (unit, capacity)
        for pk, unit, capacity in estimated.values_list(
            "pk", "effort_unit", "team__capacity_points"
        )
    }
    matrix = Matrix(model=model, measure=chosen, measures=measures, effort_unit="points")
    if ranking.error is not None and chosen.key == SCORE:
        matrix.error = ranking.error.message  # the page says so; no feature can be placed
        return matrix
    scored = {row.feature.pk: row for row in ranking.rows}
    for feature in inputs.features:
        drivers = values.get(feature.pk, {})
        value: float | None
        if feature.effort is None:
            matrix.left_off.append(LeftOff(feature, "no effort estimate"))
            continue
        if chosen.key == SCORE:
            row = scored[feature.pk]
            value = row.value
            if value is None:
                reason = row.error.message if row.error else "no score"
                matrix.left_off.append(LeftOff(feature, f"cannot be scored: {reason}"))
                continue
        else:
            value = drivers.get(chosen.key)
            if value is None:
                matrix.left_off.append(LeftOff(feature, f"no {chosen.key} value"))
                continue
        companies = int(drivers.get("demand_companies") or 0)
        matrix.points.append(Point(feature, float(feature.effort), float(value), companies))
    _one_unit(matrix, units)
    matrix.left_off.sort(key=lambda r: r.feature.title.lower())
    if matrix.points:
        matrix.effort_median = statistics.median(p.effort for p in matrix.points)
        matrix.value_median = statistics.median(p.value for p in matrix.points)
        for p in matrix.points:
            p.quadrant = quadrant_of(
                effort=p.effort,
                value=p.value,
                effort_median=matrix.effort_median,
                value_median=matrix.value_median,
            )
    return matrix
