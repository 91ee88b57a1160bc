"""The demo's features: one per recurring feedback theme, with most processed feedback on
the theme linked to it as insights, so the features page ranks demand by ARR from day one;
then the long tail of smaller requests (lodestar.demo.feature_catalog), each with a few
insights from feedback on its topic."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from lodestar.activity.services import activity_record
from lodestar.demo.feature_catalog import tail_features
from lodestar.demo.feedback_themes import THEMES
from lodestar.feedback.models import Feedback, Importance, Insight
from lodestar.planning.models import (
    Confidence,
    EffortUnit,
    Feature,
    FeatureDriver,
    FeatureStatus,
    Horizon,
    ImpactUnit,
    ScoringKind,
    ScoringModel,
)
from lodestar.planning.scoring_services import KIND_FORMULAS, scores_record
from lodestar.workspaces.models import Membership, Product, Role, Team, Workspace

# Where each theme stands on the roadmap: the story the demo tells.
STATUS = {0: FeatureStatus.IN_PROGRESS, 1: FeatureStatus.PLANNED, 2: FeatureStatus.PLANNED}
# The long tail is mostly new requests; some under consideration, some built, some dropped.
TAIL_STATUSES = (
    FeatureStatus.NEW,
    FeatureStatus.UNDER_CONSIDERATION,
    FeatureStatus.PLANNED,
    FeatureStatus.IN_PROGRESS,
    FeatureStatus.SHIPPED,
    FeatureStatus.WONT_DO,
)
TAIL_WEIGHTS = (55, 15, 8, 4, 12, 6)
TAIL_SHARE = 0.15  # of a theme's linked feedback, how much asks for a smaller tail feature


def build_features(
    rng: random.Random,
    workspace: Workspace,
    actor,
    processed_by_theme: dict[str, list[int]],
    report: Callable[[str, int, int], None],
    tail: int = 0,
) -> int:
    products = {p.key: p for p in Product.objects.filter(workspace=workspace)}
    features = Feature.objects.bulk_create(
        [
            Feature(
                workspace=workspace,
                product=products.get(theme.product),
                title=theme.title,
                status=STATUS.get(i, FeatureStatus.NEW),
                created_by=actor,
            )
            for i, theme in enumerate(THEMES)
        ]
    )
    by_key = {theme.key: feature for theme, feature in zip(THEMES, features, strict=True)}
    small = tail_features(rng, tail, {theme.title for theme in THEMES})
    tail_rows = Feature.objects.bulk_create(
        [
            Feature(
                workspace=workspace,
                product=products.get(item.product),
                title=item.title,
                description=item.description,
                status=rng.choices(TAIL_STATUSES, weights=TAIL_WEIGHTS)[0],
                created_by=actor,
            )
            for item in small
        ],
        batch_size=1000,
    )
    report("features", len(features) + len(tail_rows), len(features) + len(tail_rows))
    tail_by_theme: dict[str, list[Feature]] = {}
    for item, row in zip(small, tail_rows, strict=True):
        tail_by_theme.setdefault(item.theme, []).append(row)
    insights: list[Insight] = []
    texts = dict(
        Feedback.objects.filter(
            pk__in=[pk for ids in processed_by_theme.values() for pk in ids]
        ).values_list("pk", "text")
    )
    weights = [Importance.NICE_TO_HAVE, Importance.IMPORTANT, Importance.CRITICAL]
    for key, ids in processed_by_theme.items():
        feature = by_key.get(key)
        if feature is None:
            continue
        smaller = tail_by_theme.get(key, [])
        for pk in ids:
            if rng.random() < 0.8:  # some processed feedback was answered, not linked
                target = feature
                if smaller and rng.random() < TAIL_SHARE:
                    target = rng.choice(smaller)
                insights.append(
                    Insight(
                        feedback_id=pk,
                        feature=target,
                        snippet=texts[pk],
                        importance=rng.choices(weights, weights=(3, 5, 2))[0],
                        created_by=actor,
                    )
                )
    Insight.objects.bulk_create(insights, batch_size=2000)
    report("insights", len(insights), len(insights))
    activity_record(
        workspace=workspace,
        actor=actor,
        verb="linked feedback to",
        target_type="features",
        target_label=f"{len(features) + len(tail_rows)} features",
        changes={"insights": [None, len(insights)]},
    )
    return len(insights)


# Where each status usually sits on the now / next / later roadmap (blank: off the roadmap).
HORIZONS: dict[str, tuple[str, ...]] = {
    FeatureStatus.IN_PROGRESS: (Horizon.NOW,),
    FeatureStatus.PLANNED: (Horizon.NOW, Horizon.NEXT, Horizon.NEXT),
    FeatureStatus.UNDER_CONSIDERATION: (Horizon.NEXT, Horizon.LATER, Horizon.LATER),
    FeatureStatus.NEW: (Horizon.LATER, "", "", ""),
}
# The business case of the big themes: their size in weeks (they are projects, not tickets),
# the expected new revenue the PM entered (low, expected, high, in thousands a year; None:
# only the asking customers' ARR) with the reason, and the outcome the feature should move
# (metric, change, unit).
BUSINESS: dict[str, tuple[int, tuple[int, int, int] | None, str, str, float, str]] = {
    "offline-photos": (6, None, "", "Jobs closed with missing photos", -60, ImpactUnit.PERCENT),
    "service-plans": (12,
        (60, 150, 300),
        "Opens the recurring-maintenance segment: HVAC and pool-service firms that sell "
        "service agreements and today keep them in spreadsheets.",
        "Recurring jobs scheduled a week", 25, ImpactUnit.PERCENT,
    ),
    "quickbooks-duplicates": (3,
        None, "", "Support tickets about invoice sync a week", -70, ImpactUnit.PERCENT,
    ),
    "route-skills": (
        8, None, "", "Repeat visits for the wrong technician", -25, ImpactUnit.PERCENT,
    ),
    "arrival-texts": (4,
        (20, 45, 90),
        "Sold as a paid add-on to the Growth plan (per text sent), as three competitors do.",
        "Missed appointments (customer not home)", -15, ImpactUnit.PERCENT,
    ),
    "truck-inventory": (10,
        (40, 90, 180),
        "Opens the plumbing and electrical contractors who lose a second visit whenever a "
        "part is not on the truck; sales lost four such deals last quarter.",
        "Second visits for a missing part", -20, ImpactUnit.PERCENT,
    ),
    "spanish-app": (6,
        (30, 80, 150),
        "Opens crews in Texas, Florida and Arizona whose technicians work in Spanish.",
        "Weekly active technicians", 10, ImpactUnit.PERCENT,
    ),
    "board-performance": (8, None, "", "Dispatch time per job", -20, ImpactUnit.PERCENT),
    "multi-day-jobs": (6, None, "", "Jobs split by hand across days", -50, ImpactUnit.PERCENT),
    "online-booking": (10,
        (50, 120, 250),
        "Self-booking is the first thing residential-service prospects ask about in demos.",
        "Share of jobs booked online", 12, ImpactUnit.POINTS,
    ),
    "glanceable-next-job": (
        4, None, "", "Weekly active technicians on mobile", 5, ImpactUnit.PERCENT,
    ),
    "office-permissions": (6,
        (25, 60, 120),
        "Unblocks enterprise deals that need office roles limited by branch.",
        "Enterprise deals lost on permissions a quarter", -3, ImpactUnit.ABSOLUTE,
    ),
    "job-costing": (5, None, "", "Weekly active office managers", 8, ImpactUnit.PERCENT),
    "google-calendar": (5, None, "", "Double-booked technicians a week", -40, ImpactUnit.PERCENT),
}  # fmt: skip
# For a share of the long tail: the outcome a smaller request should move.
TAIL_IMPACTS = (
    ("Support tickets on this topic a month", -30, ImpactUnit.PERCENT),
    ("Weekly active dispatchers", 3, ImpactUnit.PERCENT),
    ("Weekly active technicians", 2, ImpactUnit.PERCENT),
    ("Time to close a job in the app", -10, ImpactUnit.PERCENT),
    ("Trial-to-paid conversion", 1, ImpactUnit.POINTS),
)
POINTS = (1, 2, 3, 5, 8, 13, 21)
IMPACT = (0.25, 0.5, 1, 2, 3)  # RICE: minimal, low, medium, high, massive
RICE_CONFIDENCE = (0.5, 0.8, 1.0)
CUSTOM_FORMULA = "(demand_weighted_arr / 1000 + 3 * strategic_fit) / effort"


def build_scoring(rng: random.Random, workspace: Workspace, actor) -> int:
    """Give the features roadmap horizons, owners, teams, effort estimates and RICE drivers,
    and each product a default RICE model plus a custom revenue-per-effort one. Runs after
    the rest of the demo so the seed gives the same earlier data. A few new features lack
    an estimate or a driver value: the ranking then shows why they are not scored."""
    teams = list(Team.objects.filter(workspace=workspace).order_by("pk")[:12])
    owners = list(
        Membership.objects.filter(
            workspace=workspace, role__in=[Role.PRODUCT_MANAGER, Role.PRODUCT_OWNER]
        ).order_by("pk")[:20]
    )
    features = list(Feature.objects.filter(workspace=workspace).order_by("pk"))
    drivers: list[FeatureDriver] = []
    for feature in features:
        feature.horizon = rng.choice(HORIZONS.get(str(feature.status), ("",)))
        feature.team = rng.choice(teams) if teams and rng.random() < 0.85 else None
        feature.owner = rng.choice(owners) if owners and rng.random() < 0.7 else None
        unestimated = feature.status == FeatureStatus.NEW and rng.random() < 0.15
        if rng.random() < 0.2:
            feature.effort_unit = EffortUnit.WEEKS
            feature.effort = None if unestimated else rng.choice((1, 2, 3, 4, 6, 8, 12))
        else:
            feature.effort_unit = EffortUnit.POINTS
            feature.effort = None if unestimated else rng.choice(POINTS)
        feature.effort_confidence = rng.choices(
            (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH), weights=(3, 5, 2)
        )[0]
        if feature.status in (FeatureStatus.SHIPPED, FeatureStatus.WONT_DO):
            continue
        values = {
            "reach": float(rng.choice((50, 100, 200, 400, 800, 1500, 3000))),
            "impact": float(rng.choice(IMPACT)),
            "confidence": float(rng.choice(RICE_CONFIDENCE)),
            "strategic_fit": float(rng.randint(1, 5)),
        }
        if feature.status == FeatureStatus.NEW and rng.random() < 0.1:
            del values["confidence"]  # nobody has judged it yet
        drivers += [FeatureDriver(feature=feature, name=k, value=v) for k, v in values.items()]
    _business(rng, features)  # after the loop: the drivers a seed gives stay as they were
    Feature.objects.bulk_update(
        features,
        [
            *("horizon", "team", "owner", "effort", "effort_unit", "effort_confidence"),
            *("description", "new_revenue_low", "new_revenue", "new_revenue_high"),
            *("impact_metric", "impact_change", "impact_unit"),
        ],
        batch_size=1000,
    )
    FeatureDriver.objects.bulk_create(drivers, batch_size=2000)
    for product in Product.objects.filter(workspace=workspace).order_by("pk"):
        ScoringModel.objects.create(
            workspace=workspace,
            product=product,
            name="RICE",
            kind=ScoringKind.RICE,
            formula=KIND_FORMULAS[ScoringKind.RICE],
            is_default=True,
        )
        ScoringModel.objects.create(
            workspace=workspace,
            product=product,
            name="Revenue per effort",
            kind=ScoringKind.CUSTOM,
            formula=CUSTOM_FORMULA,
        )
        ScoringModel.objects.create(
            workspace=workspace,
            product=product,
            name="Revenue, votes and objectives",
            kind=ScoringKind.CUSTOM,
            formula=(
                "(w_revenue * demand_weighted_arr / 1000 + w_votes * votes"
                " + w_objectives * objective_weight) / effort"
            ),
            weights={"w_revenue": 1.0, "w_votes": 2.0, "w_objectives": 25.0},
        )
        scores_record(product=product)  # the first entry of each feature's score history
    activity_record(
        workspace=workspace,
        actor=actor,
        verb="scored",
        target_type="features",
        target_label=f"{len(features)} features",
        changes={"driver values": [None, len(drivers)]},
    )
    return len(drivers)


def _business(rng: random.Random, features: list[Feature]) -> None:
    """The business case inputs: on the themes, an effort in weeks, new revenue ranges (with
    the reason, in the description) and predicted impacts; predicted impacts on a few tail
    features. Amounts vary a little with the seed, rounded to thousands."""
    themes = {theme.title: theme.key for theme in THEMES}
    for feature in features:
        key = themes.get(feature.title)
        if key is None:
            if feature.status != FeatureStatus.WONT_DO and rng.random() < 0.08:
                tail_metric, tail_change, tail_unit = rng.choice(TAIL_IMPACTS)
                feature.impact_metric, feature.impact_unit = tail_metric, tail_unit
                feature.impact_change = Decimal(tail_change)
            continue
        weeks, revenue, reason, metric, change, unit = BUSINESS[key]
        if feature.effort is not None:
            feature.effort_unit = EffortUnit.WEEKS
            feature.effort = Decimal(weeks + rng.choice((-1, 0, 0, 1, 2)))
        if revenue is not None:
            scale = Decimal(rng.choice((90, 100, 100, 110, 120))) / 100
            low, expected, high = (Decimal(round(k * scale)) * 1000 for k in revenue)
            feature.new_revenue_low, feature.new_revenue, feature.new_revenue_high = (
                low,
                expected,
                high,
            )
            feature.description = f"**Expected new revenue.** {reason}"
        feature.impact_metric, feature.impact_unit = metric, unit
        feature.impact_change = Decimal(str(change))
