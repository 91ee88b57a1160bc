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
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.workspaces.models import Product, Workspace

# Where each theme stands on the roadmap: the story the demo tells.
STATUS = {0: FeatureStatus.IN_PROGRESS, 1: FeatureStatus.PLANNED, 2: FeatureStatus.PLANNED}
# The long tail is mostly ideas; some were built, some declined along the way.
TAIL_STATUSES = (
    FeatureStatus.IDEA,
    FeatureStatus.PLANNED,
    FeatureStatus.IN_PROGRESS,
    FeatureStatus.SHIPPED,
    FeatureStatus.DECLINED,
)
TAIL_WEIGHTS = (70, 8, 4, 12, 6)
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
                status=STATUS.get(i, FeatureStatus.IDEA),
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
