"""Who a demo customer is, as its messages tell it (data for lodestar.demo.feedback): its
fleet and office size, trade, the handful of themes it keeps raising, and the values the
message templates' placeholders take from it, the same in every message."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from lodestar.customers.models import Segment
from lodestar.demo.feedback_themes import COMPETITORS, THEMES, WEEKDAYS, Theme
from lodestar.demo.feedback_voices import GENERIC_TRADE, TRADE_WORDS, TRADES

SIZE_OF = {Segment.SMB.value: "small", Segment.MID_MARKET.value: "large",
           Segment.ENTERPRISE.value: "large"}  # fmt: skip
SEGMENT_INDEX = {Segment.SMB.value: 0, Segment.MID_MARKET.value: 1, Segment.ENTERPRISE.value: 2}
CONCERNS = ((2, 4), (3, 5), (4, 7), (3, 5))  # how many themes a customer raises, by segment


@dataclass
class Profile:
    """What a company's people say about themselves, the same in every message."""

    name: str
    segment: int  # index into Theme.weights: 0 SMB .. 3 unknown
    size: str | None
    techs: int
    branches: int
    office: int
    trade: tuple[str, str, str]
    themes: tuple[Theme, ...]  # what this customer keeps raising; none if unknown


def company_profile(rng: random.Random, name: str, segment: str, employees: int | None) -> Profile:
    index = SEGMENT_INDEX.get(segment or "", 3)
    if not employees:
        employees = (rng.randint(4, 30), rng.randint(50, 250), rng.randint(600, 3000),
                     rng.randint(4, 60))[index]  # fmt: skip
    techs = max(2, round(employees * rng.uniform(0.5, 0.75)))
    branches = (1, rng.randint(2, 5), rng.randint(4, 30), rng.randint(1, 3))[index]
    office = max(2, round(techs * rng.uniform(0.15, 0.3)))
    if name:
        trade = next((w for t, w in TRADE_WORDS.items() if t in name), GENERIC_TRADE)
    else:  # someone anonymous, of any trade
        trade = rng.choice(TRADES)
    themes: tuple[Theme, ...] = ()
    if name:  # a few concerns, drawn without replacement by the segment's interest
        low, high = CONCERNS[index]
        keys = [(rng.random() ** (1 / t.weights[index]), i) for i, t in enumerate(THEMES)]
        themes = tuple(THEMES[i] for _, i in sorted(keys, reverse=True)[: rng.randint(low, high)])
    size = SIZE_OF.get(segment or "")
    return Profile(name, index, size, techs, branches, office, trade, themes)


def _fmt(n: int) -> str:
    return f"{n:,}"


# Placeholder values, made only when a message uses them.
_VALUES: dict[str, Callable[[random.Random, Profile], str]] = {
    "techs": lambda r, p: _fmt(p.techs),
    "trucks": lambda r, p: _fmt(p.techs + r.randint(0, 3)),
    "office": lambda r, p: _fmt(p.office),
    "branches": lambda r, p: _fmt(max(p.branches, 2)),
    "certified": lambda r, p: _fmt(max(1, round(p.techs * r.uniform(0.15, 0.4)))),
    "spanish": lambda r, p: _fmt(max(1, round(p.techs * r.uniform(0.25, 0.6)))),
    "members": lambda r, p: _fmt(p.techs * r.randint(4, 16) * 10),
    "jobs": lambda r, p: _fmt(p.techs * r.randint(3, 5)),
    "calls": lambda r, p: str(max(5, min(200, round(p.techs * r.uniform(0.8, 2.0))))),
    "seconds": lambda r, p: str(r.randint(8, 40)),
    "parts": lambda r, p: str(r.randint(8, 40) * 10),
    "n": lambda r, p: str(r.randint(2, 12)),
    "dups": lambda r, p: str(r.randint(4, 60)),
    "photos": lambda r, p: str(r.randint(6, 30)),
    "amount": lambda r, p: _fmt(r.randint(7, 56) * 50),
    "minutes": lambda r, p: str(r.randint(3, 12) * 5),
    "years": lambda r, p: str(r.randint(2, 8)),
    "months": lambda r, p: str(r.randint(2, 9)),
    "share": lambda r, p: str(r.randint(3, 7) * 10),
    "counties": lambda r, p: str(r.randint(2, 6)),
    "weekday": lambda r, p: r.choice(WEEKDAYS),
    "competitor": lambda r, p: r.choice(COMPETITORS),
    "visits": lambda r, p: p.trade[0],
    "job_example": lambda r, p: p.trade[1],
    "big_job": lambda r, p: p.trade[2],
}


class Values(dict):
    """A format_map mapping that makes each placeholder's value once per message."""

    def __init__(self, rng: random.Random, profile: Profile) -> None:
        super().__init__()
        self.rng, self.profile = rng, profile

    def __missing__(self, key: str) -> str:
        value = _VALUES[key](self.rng, self.profile)
        self[key] = value
        return value
