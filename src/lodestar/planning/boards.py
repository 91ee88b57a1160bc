"""Roadmap boards: features in columns (Now / Next / Later, by status, or by release), and
where a card sits within its column (Feature.rank, smaller first).

`board_build` reads a whole board in a fixed number of queries whatever the number of
features: the columns' counts and effort sums in one grouped query, at most `CARD_CAP`
cards per column in one windowed query, then demand (two queries) and scores (a subquery)
only when `visible` lets the viewer see them. The large demo has 5,000 features: a column
never shows more than `CARD_CAP` cards, and says how many more there are.

Moving a card to another column is `planning.release_services.feature_move` (the one write
that moves a feature on the roadmap, with its permissions and its history). Where it lands
within the column is `feature_rank_set` here: a position is not a roadmap change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import (
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid, NotFound
from lodestar.planning.models import Feature, FeatureStatus, Horizon, ScoreRecord
from lodestar.planning.roadmap_models import Release, ReleaseStatus
from lodestar.planning.selectors import feature_demand
from lodestar.planning.templatetags.business import money
from lodestar.planning.visibility import Visible
from lodestar.workspaces.models import Membership, Product, Workspace
from lodestar.workspaces.permissions import require

VIEWS = ("horizons", "status", "releases")
CARD_CAP = 100  # cards shown per column; the rest are counted and linked
RELEASE_CAP = 12  # release columns shown (the soonest open ones); the rest are counted
NONE = "none"  # the column of features with no horizon / no release
RANK_STEP = 1024  # the gap left between ranks, so a card fits between two without renumbering
OPEN_RELEASES = (ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)
CLOSED_FEATURES = (FeatureStatus.SHIPPED, FeatureStatus.WONT_DO)
# The board field each view groups by, and the permission that changes it.
GROUP_FIELD = {"horizons": "horizon", "status": "status", "releases": "release_id"}
MOVE_PERMISSION = {"horizons": "feature.manage", "status": "feature.manage"}
MOVE_PERMISSION["releases"] = "release.manage"


@dataclass(frozen=True)
class Filters:
    """What narrows a board. Keys are the objects' keys; empty means no filter."""

    product: str = ""
    team: str = ""
    owner: str = ""  # a membership key
    tag: str = ""
    statuses: tuple[str, ...] = ()
    text: str = ""
    unplaced: bool = False  # horizons view: add a "No horizon" column

    def query(self) -> list[tuple[str, str]]:
        """The filters as query string pairs (the board page's URL, saved views)."""
        pairs = [
            (name, value)
            for name, value in (
                ("product", self.product),
                ("team", self.team),
                ("owner", self.owner),
                ("tag", self.tag),
                ("q", self.text),
            )
            if value
        ]
        pairs += [("status", s) for s in self.statuses]
        if self.unplaced:
            pairs.append(("unplaced", "1"))
        return pairs


@dataclass
class Card:
    key: str
    title: str
    status: str
    status_label: str
    team: str
    owner: str
    effort: Decimal | None
    effort_unit: str
    rank: int
    version: int
    companies: int | None = None  # None: hidden from this viewer
    arr: Decimal | None = None
    score: float | None = None
    scored: bool = False  # a score is shown (it may still be None: not scored yet)


@dataclass
class Column:
    value: str  # what a move posts: a horizon, a status, a release key, or NONE
    label: str
    cards: list[Card] = field(default_factory=list)
    count: int = 0
    effort: Decimal = Decimal(0)
    detail: str = ""  # a release's target date and team
    more_url: str = ""  # the features list with this column's filters (when capped)
    board: Board | None = field(default=None, repr=False)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)

    @property
    def dom_id(self) -> str:
        return f"col-{self.value}"

    @property
    def cards_html(self) -> SafeString:
        """The column's cards as HTML (planning/board_column.html shows it)."""
        assert self.board is not None
        return render_cards(self.board, self)


@dataclass
class Board:
    view: str
    columns: list[Column]
    visible: Visible
    filters: Filters
    products: list[Product]
    product: Product | None = None  # the releases view's product
    releases_more: int = 0  # open releases of the product beyond RELEASE_CAP, not shown
    cap: int = CARD_CAP
    currency: str = "USD"
    # How the page shows it (set by the view; a share link keeps the read-only defaults):
    # cards can be dragged and have a "Move to" form; titles link to the feature page.
    editable: bool = False
    move_url: str = ""
    back: str = ""  # the board's query string, posted with a move to come back to it
    csrf_token: str = ""
    feature_url: str = ""  # with FEATURE_KEY in place of the key; "" for no links

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def capped(self) -> bool:
        return any(c.more for c in self.columns)

    def column(self, value: str) -> Column | None:
        return next((c for c in self.columns if c.value == value), None)


# -- reads ------------------------------------------------------------------------------


def _tag_pattern(tag: str) -> str:
    return r"(^|,)\s*" + re.escape(tag.strip()) + r"\s*(,|$)"


def _filtered(
    workspace: Workspace, products: list[Product] | None, view: str, filters: Filters
) -> QuerySet[Feature]:
    rows = Feature.objects.filter(workspace=workspace)
    if products is not None:
        rows = rows.filter(product__in=[p.pk for p in products])
    if filters.team:
        rows = rows.filter(team__key=filters.team)
    if filters.owner:
        rows = rows.filter(owner__key=filters.owner)
    if filters.tag:
        rows = rows.filter(tags__iregex=_tag_pattern(filters.tag))
    if filters.text:
        rows = rows.filter(
            Q(title__icontains=filters.text) | Q(description__icontains=filters.text)
        )
    if filters.statuses:
        rows = rows.filter(status__in=filters.statuses)
    elif view != "status":
        # Now / Next / Later and releases are about what is still to do.
        rows = rows.exclude(status__in=CLOSED_FEATURES)
    return rows


def _columns(
    view: str, releases: list[Release], filters: Filters, several_products: bool
) -> list[Column]:
    if view == "horizons":
        columns = [Column(value, label) for value, label in Horizon.choices]
        if filters.unplaced:
            columns.append(Column(NONE, "No horizon"))
        return columns
    if view == "status":
        return [Column(value, label) for value, label in FeatureStatus.choices]
    columns = []
    for r in releases:
        label = f"{r.product.name} · {r.name}" if several_products else r.name
        target = f"{r.target:%b} {r.target.day}, {r.target.year}"
        detail = f"{r.get_kind_display()} · target {target} · {r.team.name}"
        columns.append(Column(r.key, label, detail=detail))
    columns.append(Column(NONE, "No release"))
    return columns


def _column_value(view: str, raw, release_keys: dict[int, str]) -> str:
    if view == "releases":
        return release_keys.get(raw, NONE) if raw is not None else NONE
    return raw or NONE


def _score_subquery() -> Subquery:
    """The feature's latest recorded score under its product's default model."""
    latest = ScoreRecord.objects.filter(
        feature=OuterRef("pk"), model__is_default=True, model__product=OuterRef("product")
    ).order_by("-recorded_at", "-pk")
    return Subquery(latest.values("value")[:1])


def _features_url(workspace: Workspace, view: str, column: Column, filters: Filters) -> str:
    """The features list narrowed like the column, as far as the list's filters go."""
    pairs: list[tuple[str, str]] = []
    if view == "horizons" and column.value != NONE:
        pairs.append(("horizon", column.value))
    if view == "status":
        pairs.append(("status", column.value))
    if filters.team:
        pairs.append(("team", filters.team))
    if filters.text:
        pairs.append(("q", filters.text))
    return f"/w/{workspace.slug}/features/" + (f"?{urlencode(pairs)}" if pairs else "")


def board_build(
    *,
    workspace: Workspace,
    products: list[Product] | None,
    view: str = "horizons",
    visible: Visible,
    filters: Filters | None = None,
    cap: int = CARD_CAP,
) -> Board:
    """The board `view` ("horizons", "status" or "releases") of the features of `products`
    (None: every feature of the workspace), narrowed by `filters`.

    Cards are ordered by rank, then title. Demand (companies, ARR) and scores are read and
    filled only when `visible` shows them: a stakeholder's or a share link's board never
    holds them. The releases view shows one product's open releases in target order (the
    filtered product, else the first of `products`) and a "No release" column."""
    if view not in VIEWS:
        raise Invalid(f"No board view {view!r}.", fields={"view": [f"Choose one of {VIEWS}."]})
    filters = filters or Filters()
    if filters.product:
        chosen = [p for p in (products or []) if p.key == filters.product]
        if products is None:
            chosen = list(Product.objects.filter(workspace=workspace, key=filters.product))
        if not chosen:
            raise Invalid(fields={"product": [f"No product with key “{filters.product[:40]}”."]})
        products = chosen
    product = None
    releases: list[Release] = []
    if view == "releases":
        scope = (
            products
            if products is not None
            else list(Product.objects.filter(workspace=workspace).order_by("name")[:1])
        )
        product = scope[0] if scope else None
        products = scope[:1]
    releases_more = 0
    if view == "releases" and product is not None:
        open_releases = Release.objects.filter(
            workspace=workspace, product=product, status__in=OPEN_RELEASES
        )
        releases = list(
            open_releases.select_related("product", "team").order_by("target", "name")[:RELEASE_CAP]
        )
        # Counted every time, so the page's queries do not depend on the data.
        releases_more = max(open_releases.count() - RELEASE_CAP, 0)
    columns = _columns(view, releases, filters, several_products=False)
    board = Board(
        view,
        columns,
        visible,
        filters,
        list(products or []),
        product=product,
        releases_more=releases_more,
        cap=cap,
        currency=workspace.currency,
    )
    for column in columns:
        column.board = board
    if view == "releases" and product is None:
        return board
    by_value = {c.value: c for c in columns}
    group = GROUP_FIELD[view]
    release_keys = {r.pk: r.key for r in releases}
    rows = _filtered(workspace, products, view, filters)
    if view == "horizons" and not filters.unplaced:
        rows = rows.exclude(horizon="")
    if view == "releases":
        rows = rows.filter(Q(release__in=[r.pk for r in releases]) | Q(release__isnull=True))

    totals = rows.order_by().values(group).annotate(n=Count("pk"), effort=Sum("effort"))
    for row in totals:
        counted = by_value.get(_column_value(view, row[group], release_keys))
        if counted is not None:
            counted.count += row["n"]
            counted.effort += row["effort"] or Decimal(0)

    ranked = rows.annotate(
        place=Window(
            RowNumber(),
            partition_by=[F(group)],
            order_by=[F("rank").asc(), F("title").asc(), F("pk").asc()],
        )
    ).filter(place__lte=cap)
    features: list[Feature] = list(
        ranked.select_related("team", "owner__user").order_by("rank", "title", "pk")
    )
    demand = feature_demand(features=features) if (visible.customers or visible.arr) else {}
    scores: dict[int, float | None] = {}
    if visible.scores:
        # A query of its own: in the windowed one it would run for every feature, not only
        # the ones shown.
        scores = dict(
            Feature.objects.filter(pk__in=[f.pk for f in features])
            .annotate(latest_score=_score_subquery())
            .values_list("pk", "latest_score")
        )
    for f in features:
        placed = by_value.get(_column_value(view, getattr(f, group), release_keys))
        if placed is None:
            continue
        card = Card(
            key=f.key,
            title=f.title,
            status=f.status,
            status_label=f.get_status_display(),
            team=f.team.name if f.team else "",
            owner=f.owner.user.display_name if f.owner else "",
            effort=f.effort,
            effort_unit=f.effort_unit,
            rank=f.rank,
            version=f.version,
        )
        if f.pk in demand:
            card.companies = demand[f.pk].companies if visible.customers else None
            card.arr = demand[f.pk].arr if visible.arr else None
        if visible.scores:
            card.scored, card.score = True, scores.get(f.pk)
        placed.cards.append(card)
    for column in columns:
        if column.more:
            column.more_url = _features_url(workspace, view, column, filters)
    return board


# -- where a card sits in its column ------------------------------------------------------


def _column_rows(feature: Feature, view: str) -> QuerySet[Feature]:
    """The features sharing `feature`'s column on the board `view` (any filter)."""
    group = GROUP_FIELD[view]
    return Feature.objects.filter(
        workspace_id=feature.workspace_id, **{group: getattr(feature, group)}
    )


def _renumber(rows: QuerySet[Feature]) -> None:
    """Spread a column's ranks RANK_STEP apart, in its current order (rare: only when two
    neighbours left no room between them)."""
    ordered = list(rows.order_by("rank", "title", "pk").only("pk", "rank"))
    for i, f in enumerate(ordered, start=1):
        f.rank = i * RANK_STEP
    Feature.objects.bulk_update(ordered, ["rank"], batch_size=500)


def rank_between(after: int | None, before: int | None) -> int | None:
    """A rank strictly between `after` (the card above) and `before` (the card below), or
    None when they leave no room (the caller renumbers the column and asks again)."""
    if after is None and before is None:
        return None
    if after is None:
        assert before is not None
        return before - RANK_STEP
    if before is None:
        return after + RANK_STEP
    if before - after < 2:
        return None
    return (after + before) // 2


def feature_rank_set(
    *,
    feature: Feature,
    actor,
    membership: Membership,
    view: str,
    after_key: str = "",
    before_key: str = "",
) -> Feature:
    """Put `feature` between the cards `after_key` (above it) and `before_key` (below it) of
    its column on the board `view`; with neither, at the end of the column. Needs the
    permission that moves cards on that board (feature.manage, or release.manage for the
    releases board). Other features' ranks change only when the column must be renumbered."""
    if view not in VIEWS:
        raise Invalid(fields={"view": [f"Choose one of {VIEWS}."]})
    require(membership, MOVE_PERMISSION[view])
    with transaction.atomic():
        column = _column_rows(feature, view).exclude(pk=feature.pk)
        keys = [k for k in (after_key, before_key) if k]
        ranks = dict(column.filter(key__in=keys).values_list("key", "rank"))
        for k in keys:
            if k not in ranks:
                raise Invalid(
                    "The card next to this one has moved meanwhile: reload the board.",
                    fields={"position": ["That neighbour is no longer in this column."]},
                )
        if not keys:
            last = column.aggregate(m=Max("rank"))["m"]
            new = (last or 0) + RANK_STEP
        else:
            new = rank_between(ranks.get(after_key), ranks.get(before_key))
            if new is None:
                _renumber(column)
                ranks = dict(column.filter(key__in=keys).values_list("key", "rank"))
                new = rank_between(ranks.get(after_key), ranks.get(before_key))
        assert new is not None
        old = feature.rank
        if new != old:
            Feature.objects.filter(pk=feature.pk).update(rank=new)
            feature.rank = new
            activity_record(
                workspace=feature.workspace,
                actor=actor,
                verb="reordered",
                target_type="feature",
                target_key=feature.key,
                target_label=feature.title,
                changes={"rank": [old, new]},
            )
    return feature


STEPS = {"up": "Up one place", "down": "Down one place"}


def step_neighbours(feature: Feature, view: str, step: str) -> tuple[str, str] | None:
    """(after_key, before_key) that put `feature` one place up or down in its column on the
    board `view` (in the board's order: rank, title, id); None when it is already first or
    last. Reads the two cards on that side, whatever the column's size."""
    rows = _column_rows(feature, view).exclude(pk=feature.pk)
    r, t, pk = feature.rank, feature.title, feature.pk
    if step == "up":
        side = rows.filter(
            Q(rank__lt=r) | Q(rank=r, title__lt=t) | Q(rank=r, title=t, pk__lt=pk)
        ).order_by("-rank", "-title", "-pk")
    else:
        side = rows.filter(
            Q(rank__gt=r) | Q(rank=r, title__gt=t) | Q(rank=r, title=t, pk__gt=pk)
        ).order_by("rank", "title", "pk")
    near = list(side.values_list("key", flat=True)[:2])
    if not near:
        return None
    beyond = near[1] if len(near) > 1 else ""
    return (beyond, near[0]) if step == "up" else (near[0], beyond)


def feature_for_board(*, workspace: Workspace, key: str) -> Feature:
    """A feature of `workspace` by key, for a move (NotFound otherwise)."""
    found = Feature.objects.filter(workspace=workspace, key=key).select_related("product").first()
    if found is None:
        raise NotFound("No such feature.")
    return found


def column_of(feature: Feature, view: str) -> str:
    """The column value `feature` sits in on the board `view`."""
    if view == "releases":
        return feature.release.key if feature.release_id and feature.release else NONE
    return getattr(feature, GROUP_FIELD[view]) or NONE


# -- rendering ------------------------------------------------------------------------------
# Cards are built here rather than by a template: a board shows up to 600 cards, and Django's
# template engine took ~1 ms per editable card (its "Move to" form and options); this takes a
# tenth of that. The markup is the same for the board page and a share link's read-only one.


def _card_meta(card: Card, currency: str) -> SafeString:
    parts = [
        format_html(
            '<span class="board-status-tag status-{}">{}</span>', card.status, card.status_label
        )
    ]
    parts += [format_html("{}", text) for text in (card.team, card.owner) if text]
    if card.effort is not None:
        parts.append(format_html("{} {}", floatformat(card.effort, "-2g"), card.effort_unit))
    meta = format_html_join(" · ", "{}", ((part,) for part in parts))
    demand = []
    if card.companies is not None:
        demand.append(f"{card.companies} compan{'y' if card.companies == 1 else 'ies'}")
    if card.arr is not None:
        demand.append(f"{money(card.arr, currency)} ARR")
    if card.scored:
        demand.append("score " + ("—" if card.score is None else floatformat(card.score, "-2g")))
    html = format_html('<p class="board-card-meta">{}</p>', meta)
    if demand:
        html += format_html('<p class="board-card-demand">{}</p>', " · ".join(demand))
    return html


def _move_form(board: Board, card: Card, options: SafeString) -> SafeString:
    return format_html(
        '<form class="board-move" method="post" action="{url}" hx-post="{url}" '
        'hx-target="#board-status" hx-swap="innerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="feature" value="{key}">'
        '<input type="hidden" name="version" value="{version}">'
        '<input type="hidden" name="view" value="{view}">'
        '<input type="hidden" name="back" value="{back}">'
        '<label class="visually-hidden" for="move-{key}">Move “{title}” to</label>'
        '<select id="move-{key}" name="column">{options}</select>'
        '<button type="submit" class="secondary small">Move'
        '<span class="visually-hidden"> “{title}”</span></button></form>',
        url=board.move_url,
        csrf=board.csrf_token,
        key=card.key,
        version=card.version,
        view=board.view,
        back=board.back,
        title=card.title,
        options=options,
    )


def render_cards(board: Board, column: Column) -> SafeString:
    targets = [(c.value, c.label) for c in board.columns if c.value != column.value]
    if len(column.cards) > 1:
        targets += list(STEPS.items())
    options = format_html_join("", '<option value="{}">{}</option>', targets)
    items = []
    for card in column.cards:
        title: SafeString = format_html("{}", card.title)
        if board.feature_url:
            url = board.feature_url.replace("FEATURE_KEY", card.key)
            title = format_html('<a href="{}">{}</a>', url, card.title)
        items.append(
            format_html(
                '<li class="board-card" id="card-{key}" data-key="{key}" data-version="{v}"{drag}>'
                '<h3 class="board-card-title">{title}</h3>{meta}{form}</li>',
                key=card.key,
                v=card.version,
                # reviewed: a constant attribute, no user text
                drag=mark_safe(' draggable="true"') if board.editable else "",
                title=title,
                meta=_card_meta(card, board.currency),
                form=_move_form(board, card, options) if board.editable else "",
            )
        )
    return format_html_join("", "{}", ((item,) for item in items))
