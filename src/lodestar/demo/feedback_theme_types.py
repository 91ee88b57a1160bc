"""The shape of a demo feedback theme and the helpers its data uses (see
lodestar.demo.feedback_themes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

SPAN_DAYS = 548  # the demo feedback covers 18 months

TAGS = (
    "bug", "integration", "mobile", "billing", "churn-risk", "enterprise", "quick-win",
    "performance", "reporting", "scheduling",
)  # fmt: skip
# Invented names: no real field-service product is meant.
COMPETITORS = ("Routewise", "Crewlane", "Vantafield", "Tradeloop", "Wrenchbase")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


class Line(NamedTuple):
    """A phrasing, optionally only for one voice (who says it) or size of business."""

    text: str
    voice: str | None = None  # owner, office, field, finance, it
    size: str | None = None  # small (SMB) or large (mid-market and enterprise)


def _flat(age_days: float) -> float:
    return 1.0


@dataclass(frozen=True)
class Theme:
    key: str
    title: str
    product: str  # product key: web or mobile
    weights: tuple[float, float, float, float]  # SMB, mid-market, enterprise, unknown
    tags: tuple[tuple[str, float], ...]
    lines: tuple[Line, ...]  # complete messages
    asks: tuple[Line, ...]  # the request in one sentence; names the theme
    details: tuple[Line, ...]  # a concrete fact
    impacts: tuple[Line, ...]  # why it matters
    churn: float = 0.03  # how often the author threatens to switch
    trend: Callable[[float], float] = _flat  # volume multiplier by age in days


def _lines(items: Sequence[str | Line]) -> tuple[Line, ...]:
    return tuple(item if isinstance(item, Line) else Line(item) for item in items)


def _theme(
    key: str,
    title: str,
    product: str,
    weights: tuple[float, float, float, float],
    tags: dict[str, float],
    lines: Sequence[str | Line],
    asks: Sequence[str | Line],
    details: Sequence[str | Line],
    impacts: Sequence[str | Line],
    churn: float = 0.03,
    trend: Callable[[float], float] = _flat,
) -> Theme:
    return Theme(
        key, title, product, weights, tuple(tags.items()), _lines(lines), _lines(asks),
        _lines(details), _lines(impacts), churn, trend,
    )  # fmt: skip


def _qbo_trend(age: float) -> float:
    # An accounting-API change in early March 2026; a partial fix in mid-August.
    return 0.6 if age > 240 else 2.2 if age > 75 else 1.1


def _offline_trend(age: float) -> float:
    # Acme Tech's late-June 2026 release made the photo-sync bug much more common.
    return 2.1 if age < 130 else 0.8


def _board_trend(age: float) -> float:
    # More large fleets every month, so more complaints about the board at their size.
    return 0.4 + 1.3 * (1 - age / SPAN_DAYS)
