"""Exports of the roadmap: CSV and JSON (one row per feature on the roadmap), the timeline as
PNG (the SVG is `timeline.timeline_svg`), an iCal feed of release dates and an Atom feed of
shipped features. The page's export links, `lodestar roadmap export` and the share links'
feeds all call these, so every route sends the same thing.

Each takes a `Visible` and leaves out what it hides: the customer names, ARR and score
columns exist only when it shows them."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from icalendar import Calendar, Event

from lodestar.planning import timeline as tl
from lodestar.planning.models import (
    Feature,
    FeatureStatus,
    Horizon,
    Release,
    ReleaseKind,
    ScoreRecord,
)
from lodestar.planning.timeline_svg import arrow_points, clip, timeline_svg
from lodestar.planning.visibility import Visible
from lodestar.workspaces.models import Product, Workspace

BASE_COLUMNS = [
    "product",
    "feature_key",
    "feature",
    "release_key",
    "release",
    "release_start",
    "release_target",
    "horizon",
    "status",
    "team",
    "owner",
]
PNG_SCALE = 2
MAX_PNG_PIXELS = 30_000_000  # ~90 MB of RGB while drawing; larger timelines are drawn smaller
ATOM_LIMIT = 100
CENT = Decimal("0.01")
PRODID = "-//Lodestar//Roadmap//EN"


# format: (content type, downloaded as a file rather than shown)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", True),
    "json": ("application/json", True),
    "svg": ("image/svg+xml", True),
    "png": ("image/png", True),
    "ics": ("text/calendar; charset=utf-8", False),  # calendars subscribe to it
    "atom": ("application/atom+xml; charset=utf-8", False),  # feed readers too
}


def export(
    fmt: str,
    *,
    workspace: Workspace,
    products: Iterable[Product],
    visible: Visible,
    base_url: str,
    group: str = "team",
    zoom: str = "quarter",
    feed_url: str = "",
) -> str | bytes:
    """The body of one export in `fmt` (a key of FORMATS): what the page's export links and
    `lodestar roadmap export` send. `group` and `zoom` shape the SVG and PNG."""
    products = list(products)
    if fmt == "csv":
        return roadmap_csv(workspace=workspace, products=products, visible=visible)
    if fmt == "json":
        return roadmap_json(workspace=workspace, products=products, visible=visible)
    if fmt == "ics":
        return releases_ics(
            workspace=workspace, products=products, visible=visible, base_url=base_url
        )
    if fmt == "atom":
        return shipped_atom(
            workspace=workspace,
            products=products,
            visible=visible,
            base_url=base_url,
            feed_url=feed_url,
        )
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}")
    timeline = tl.timeline_build(
        workspace=workspace, products=products, group=group, zoom=zoom, visible=visible
    )
    if fmt == "svg":
        link_base = f"{base_url.rstrip('/')}/w/{workspace.slug}/releases/"
        return timeline_svg(timeline, link_base=link_base, standalone=True)
    return timeline_png(timeline)


def roadmap_columns(visible: Visible) -> list[str]:
    columns = list(BASE_COLUMNS)
    if visible.customers:
        columns.append("customers")
    if visible.arr:
        columns.append("arr")
    if visible.scores:
        columns.append("score")
    return columns


def roadmap_rows(
    *, workspace: Workspace, products: Iterable[Product], visible: Visible
) -> list[dict]:
    """One row per feature on the roadmap of `products`: in one of their releases, or given a
    horizon. Ordered by release target (the unscheduled after, now then next then later).
    A fixed number of queries: the features, and per internal column shown, one or two."""
    product_ids = [p.pk for p in products]
    rows = (
        Feature.objects.filter(workspace=workspace)
        .filter(
            Q(release__product_id__in=product_ids)
            | Q(release__isnull=True, product_id__in=product_ids) & ~Q(horizon="")
        )
        .order_by(
            F("release__target").asc(nulls_last=True),
            "release__name",
            Case(*(When(horizon=h, then=i) for i, h in enumerate(Horizon.values)), default=3),
            "rank",
            "title",
        )
    )
    if visible.scores:
        latest = ScoreRecord.objects.filter(
            feature=OuterRef("pk"), model__is_default=True, model__product=OuterRef("product")
        ).order_by("-recorded_at")
        rows = rows.annotate(default_score=Subquery(latest.values("value")[:1]))
    # Plain values, not models: 5,000 features read in a tenth of the time.
    features = list(
        rows.values(
            "pk",
            "key",
            "title",
            "horizon",
            "status",
            "product__name",
            "release__key",
            "release__name",
            "release__start",
            "release__target",
            "release__product__name",
            "team__name",
            "owner__user__name",
            "owner__user__email",
            *(["default_score"] if visible.scores else []),
        )
    )
    # The companies asking for each feature (through insights on their feedback), each
    # once: their names, and their ARR summed as `feature_demand` sums it.
    customers: dict[int, list[str]] = defaultdict(list)
    arr: dict[int, Decimal] = defaultdict(Decimal)
    if (visible.customers or visible.arr) and features:
        from lodestar.feedback.models import Insight

        asking = (
            # The features' query as a subquery: thousands of ids as parameters are slower.
            Insight.objects.filter(
                feature_id__in=rows.values("pk"), feedback__company__isnull=False
            )
            .values_list("feature_id", "feedback__company__name", "feedback__company__arr")
            .distinct()
            .order_by("feature_id", "feedback__company__name")
        )
        for feature_id, name, company_arr in asking:
            customers[feature_id].append(name)
            arr[feature_id] += company_arr or 0
    out = []
    for f in features:
        in_release = f["release__key"] is not None
        start = f["release__start"]
        owner = f["owner__user__name"] or (f["owner__user__email"] or "").split("@")[0]
        row = {
            "product": (f["release__product__name"] if in_release else f["product__name"]) or "",
            "feature_key": f["key"],
            "feature": f["title"],
            "release_key": f["release__key"] or "",
            "release": f["release__name"] or "",
            "release_start": start.isoformat() if start else "",
            "release_target": f["release__target"].isoformat() if in_release else "",
            "horizon": f["horizon"],
            "status": f["status"],
            "team": f["team__name"] or "",
            "owner": owner,
        }
        if visible.customers:
            row["customers"] = "; ".join(customers.get(f["pk"], []))
        if visible.arr:
            row["arr"] = str(arr[f["pk"]].quantize(CENT))
        if visible.scores:
            row["score"] = f["default_score"]
        out.append(row)
    return out


def roadmap_csv(*, workspace: Workspace, products: Iterable[Product], visible: Visible) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=roadmap_columns(visible), lineterminator="\r\n")
    writer.writeheader()
    for row in roadmap_rows(workspace=workspace, products=products, visible=visible):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def roadmap_json(*, workspace: Workspace, products: Iterable[Product], visible: Visible) -> str:
    products = list(products)
    items = roadmap_rows(workspace=workspace, products=products, visible=visible)
    payload = {
        "workspace": workspace.slug,
        "products": [p.key for p in products],
        "columns": roadmap_columns(visible),
        "items": items,
        "count": len(items),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


# -- iCal ----------------------------------------------------------------------------------


def _link(base_url: str, path: str, key: str) -> str:
    return base_url.rstrip("/") + path.format(key=key)


def releases_ics(
    *,
    workspace: Workspace,
    products: Iterable[Product],
    visible: Visible,
    base_url: str,
    link_path: str | None = None,
    name: str | None = None,
) -> bytes:
    """An iCalendar feed: one all-day VEVENT per release (spanning start to target) and per
    milestone (on its target). The UID comes from the release key, so a calendar that
    subscribes updates events in place; SEQUENCE is the release's version.

    Each event's URL is `base_url` + `link_path` formatted with the release `key` (default
    `/w/<slug>/releases/{key}/`; a share link passes its own page, e.g. `/s/<token>/`)."""
    products = list(products)
    path = link_path if link_path is not None else f"/w/{workspace.slug}/releases/{{key}}/"
    releases = (
        Release.objects.filter(workspace=workspace, product__in=products)
        .select_related("product", "team")
        .order_by("target", "name")
    )
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    title = name or f"{workspace.name} roadmap" + (
        f": {', '.join(p.name for p in products)}" if 0 < len(products) <= 3 else ""
    )
    cal.add("x-wr-calname", title)
    cal.add("x-wr-caldesc", "Release and milestone dates from Lodestar.")
    stamp = timezone.now().replace(microsecond=0)
    for r in releases:
        event = Event()
        event.add("uid", f"release-{r.key}@lodestar")
        event.add("dtstamp", stamp)
        kind = "Milestone" if r.kind == ReleaseKind.MILESTONE else "Release"
        event.add("summary", f"{r.product.name}: {r.name}" + (" (milestone)" * (kind != "Release")))
        first = r.target if r.kind == ReleaseKind.MILESTONE or not r.start else r.start
        event.add("dtstart", first)
        event.add("dtend", r.target + timedelta(days=1))  # all-day: the end is exclusive
        url = _link(base_url, path, r.key)
        lines = [f"{kind} of {r.product.name} by {r.team.name}. Status: {r.get_status_display()}."]
        if r.goal:
            lines.append(r.goal)
        lines.append(url)
        event.add("description", "\n\n".join(lines))
        event.add("url", url)
        event.add("sequence", r.version)
        event.add("transp", "TRANSPARENT")  # a release date does not make anyone busy
        event.add(
            "status",
            {"cancelled": "CANCELLED", "released": "CONFIRMED"}.get(r.status, "TENTATIVE"),
        )
        event.add("categories", [r.product.name, r.team.name])
        cal.add_component(event)
    return cal.to_ical()


# -- Atom ----------------------------------------------------------------------------------


def shipped_atom(
    *,
    workspace: Workspace,
    products: Iterable[Product],
    visible: Visible,
    base_url: str,
    link_path: str | None = None,
    feed_url: str = "",
    limit: int = ATOM_LIMIT,
) -> str:
    """An Atom feed of the shipped features of `products`, newest first: a feature shipped
    when its release was released (else its release's target; a feature in no release, when
    it was created). Each entry's id is a tag URI from the feature key (stable); its link is
    `base_url` + `link_path` formatted with the feature `key` (default
    `/w/<slug>/features/{key}/`)."""
    products = list(products)
    path = link_path if link_path is not None else f"/w/{workspace.slug}/features/{{key}}/"
    features = list(
        Feature.objects.filter(
            workspace=workspace, status=FeatureStatus.SHIPPED, product__in=products
        )
        .select_related("release", "product")
        .order_by(
            F("release__released_on").desc(nulls_last=True),
            F("release__target").desc(nulls_last=True),
            "-created_at",
        )[:limit]
    )
    site = base_url.rstrip("/")
    feed = Atom1Feed(
        title=f"Shipped: {workspace.name}",
        link=site + (feed_url or f"/w/{workspace.slug}/roadmap/"),
        description=f"Features shipped in {workspace.name}.",
        feed_url=site + feed_url if feed_url else None,
        feed_guid=f"tag:lodestar,2026:{workspace.slug}/shipped",
        language="en",
    )
    for f in features:
        shipped = _shipped_on(f)
        where = f"Shipped in {f.release.name}" if f.release else "Shipped"
        feed.add_item(
            title=f.title,
            link=_link(base_url, path, f.key),
            description=f"{where} ({f.product.name if f.product else workspace.name}).",
            unique_id=f"tag:lodestar,2026:feature/{f.key}",
            unique_id_is_permalink=False,
            pubdate=shipped,
            updateddate=shipped,
            categories=[f.product.name] if f.product else None,
        )
    return feed.writeString("utf-8")


def _shipped_on(feature: Feature) -> datetime:
    release = feature.release
    day: date | None = None
    if release is not None:
        day = release.released_on or release.target
    if day is None:
        return feature.created_at
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


# -- PNG -----------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def timeline_png(timeline: tl.Timeline, *, scale: float = PNG_SCALE) -> bytes:
    """The timeline drawn with Pillow: the same layout as the SVG, at `scale` (2: crisp on
    high-density screens and in slides), reduced for a very large timeline so the image
    stays under MAX_PNG_PIXELS. Pillow's wheels bundle FreeType and a default font: nothing
    to install on the system."""
    from PIL import Image, ImageDraw, ImageFont

    area = timeline.width * timeline.height
    scale = min(scale, (MAX_PNG_PIXELS / area) ** 0.5) if area else scale
    w, h = round(timeline.width * scale), round(timeline.height * scale)
    image = Image.new("RGB", (w, h), "#ffffff")
    draw = ImageDraw.Draw(image)
    fonts: dict[float, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}

    def font(size: float):
        if size not in fonts:
            fonts[size] = ImageFont.load_default(size=max(size * scale, 4))
        return fonts[size]

    def s(v: float) -> float:
        return v * scale

    def text(x: float, baseline: float, value: str, fill: str, size: float = 12) -> None:
        draw.text((s(x), s(baseline)), value, fill=_rgb(fill), font=font(size), anchor="ls")

    grid, muted = _rgb(tl.GRID), _rgb(tl.MUTED)
    for tick in timeline.ticks:
        draw.line([(s(tick.x), s(tl.AXIS_H - 6)), (s(tick.x), h)], fill=grid, width=1)
        text(tick.x + 4, tl.AXIS_H - 12, tick.label, tl.MUTED)
    draw.line(
        [(s(tl.LABEL_W), s(tl.AXIS_H - 6)), (s(timeline.x(timeline.end)), s(tl.AXIS_H - 6))],
        fill=muted,
        width=max(round(scale), 1),
    )
    for lane in timeline.lanes:
        draw.rectangle([0, s(lane.y), w, s(lane.y + tl.LANE_HEAD_H)], fill=_rgb(tl.LANE_BG))
        text(8, lane.y + 17, clip(lane.label, timeline.width - 16), tl.INK)
        for bar in lane.rows:
            _png_bar(draw, bar, s, text, scale)
    for arrow in timeline.arrows:
        colour = _rgb(tl.LATE_COLOUR if arrow.conflict else tl.ARROW_COLOUR)
        points = [(s(x), s(y)) for x, y in arrow_points(arrow)]
        draw.line(points, fill=colour, width=max(round(1.5 * scale), 1))
        tip = s(arrow.x2)
        draw.polygon(
            [(tip, s(arrow.y2)), (tip - s(6), s(arrow.y2 - 4)), (tip - s(6), s(arrow.y2 + 4))],
            fill=colour,
        )
    if timeline.unscheduled:
        y = timeline.unscheduled_y
        draw.rectangle([0, s(y), w, s(y + tl.LANE_HEAD_H)], fill=_rgb(tl.LANE_BG))
        text(8, y + 17, "Not scheduled", tl.INK)
        for column in timeline.unscheduled:
            cy = y + tl.LANE_HEAD_H + 16
            text(column.x, cy, f"{column.label} ({column.count})", tl.INK)
            for item in column.features:
                cy += tl.LINE_H
                text(column.x, cy, clip(item.title, tl.UNSCHEDULED_COL_W - 12, 11), tl.MUTED, 11)
            if column.more:
                cy += tl.LINE_H
                text(column.x, cy, f"+ {column.more} more", tl.MUTED, 11)
    if timeline.today_x is not None:
        x = s(timeline.today_x)
        colour = _rgb(tl.TODAY_COLOUR)
        draw.line([(x, s(tl.AXIS_H - 6)), (x, h)], fill=colour, width=max(round(2 * scale), 1))
        text(timeline.today_x + 4, 12, "Today", tl.TODAY_COLOUR, 11)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _png_bar(draw, bar: tl.Bar, s, text, scale: float) -> None:
    fill = _rgb(bar.colour)
    late = _rgb(tl.LATE_COLOUR)
    outline = late if bar.late else None
    width = max(round(2.5 * scale), 1) if bar.late else 0
    y = bar.y
    if bar.is_milestone:
        cx, cy, r = bar.x0, bar.mid_y, tl.BAR_H / 2
        draw.polygon(
            [(s(cx), s(cy - r)), (s(cx + r), s(cy)), (s(cx), s(cy + r)), (s(cx - r), s(cy))],
            fill=fill,
            outline=outline,
            width=width,
        )
        text(cx + r + 4, y + 14, bar.name + (" (late)" if bar.late else ""), tl.INK)
        text_x = cx + r + 4
    else:
        x1 = bar.x0 + max(bar.x1 - bar.x0, 3)
        draw.rounded_rectangle(
            [s(bar.x0), s(y), s(x1), s(y + tl.BAR_H)],
            radius=s(4),
            fill=fill,
            outline=outline,
            width=width,
        )
        name = bar.name + (" (late)" if bar.late else "")
        if len(name) * 12 * 0.55 + 10 <= x1 - bar.x0:
            text(bar.x0 + 6, y + 14, name, "#ffffff")
        text_x = bar.x0 + 2
    text(16, y + 14, clip(bar.name, tl.LABEL_W - 24), tl.LATE_COLOUR if bar.late else tl.INK)
    fy = y + tl.BAR_H
    for item in bar.features:
        fy += tl.LINE_H
        text(text_x, fy - 2, "· " + clip(item.title, 260, 11), tl.MUTED, 11)
    if bar.more:
        fy += tl.LINE_H
        text(text_x, fy - 2, f"+ {bar.more} more", tl.MUTED, 11)
