"""The demo's features: one per recurring feedback theme, with most processed feedback on
the theme linked to it as insights, so the features page ranks demand by ARR from day one;
then the long tail of smaller requests (lodestar.demo.feature_catalog), each with a few
insights from feedback on its topic."""

from __future__ import annotations

import random
from collections.abc import Callable

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
    Feature.objects.bulk_update(
        features,
        ["horizon", "team", "owner", "effort", "effort_unit", "effort_confidence"],
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
