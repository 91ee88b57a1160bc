"""Drawing a roadmap timeline (the layout of planning.timeline) as SVG: bars, milestones,
ticks, the today line and dependency arrows, every text escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from lodestar.planning.timeline import (
    ARROW_COLOUR,
    AXIS_H,
    BAR_H,
    FONT,
    GRID,
    INK,
    LABEL_W,
    LANE_BG,
    LANE_HEAD_H,
    LATE_COLOUR,
    LINE_H,
    MUTED,
    ROW_GAP,
    TODAY_COLOUR,
    UNSCHEDULED_COL_W,
    Arrow,
    Bar,
    Timeline,
)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def clip(text: str, width: float, size: float = 12) -> str:
    """`text` cut to about `width` pixels at `size` (an average glyph is ~0.55 em)."""
    most = max(int(width / (size * 0.55)), 1)
    return text if len(text) <= most else text[: max(most - 1, 1)] + "…"


def arrow_points(arrow: Arrow) -> list[tuple[float, float]]:
    """The elbow line of a dependency arrow: out of the blocker's end, into the blocked's
    start; when the blocked starts first, around through the gap above the blocked bar."""
    x1, y1, x2, y2 = arrow.x1, arrow.y1, arrow.x2, arrow.y2
    if x2 - x1 >= 16:
        mid = (x1 + x2) / 2
        return [(x1, y1), (mid, y1), (mid, y2), (x2, y2)]
    above = y2 - BAR_H / 2 - ROW_GAP / 2 + 1  # the gap between two rows is always clear
    return [(x1, y1), (x1 + 8, y1), (x1 + 8, above), (x2 - 8, above), (x2 - 8, y2), (x2, y2)]


def bar_label(bar: Bar) -> str:
    """What a bar says to a screen reader (and in its tooltip)."""
    kind = "Milestone" if bar.is_milestone else "Release"
    text = f"{kind} {bar.name} ({bar.product}, {bar.team}): {bar.dates}, {bar.status_label}"
    if bar.late:
        text += ", late"
    return text + f", {bar.feature_count} feature{'s' if bar.feature_count != 1 else ''}"


def timeline_svg(
    timeline: Timeline, *, links: bool = True, link_base: str | None = None, standalone=False
) -> str:
    """The timeline as SVG (presentation attributes only: no <style>, so the page's CSP and
    a file viewer both draw it). With `links`, each bar links to its release page under
    `link_base` (default /w/<slug>/releases/); a share link passes links=False.
    `standalone` adds the XML declaration for an .svg file."""
    base = link_base if link_base is not None else f"/w/{timeline.workspace_slug}/releases/"
    w, h = timeline.width, timeline.height
    out: list[str] = []
    add = out.append
    if standalone:
        add('<?xml version="1.0" encoding="UTF-8"?>\n')
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" role="group" '
        f'width="{_n(w)}" height="{_n(h)}" viewBox="0 0 {_n(w)} {_n(h)}" '
        f'aria-labelledby="tl-title" aria-describedby="tl-desc" '
        f'font-family={quoteattr(FONT)} font-size="12">'
    )
    add(f'<title id="tl-title">{escape(timeline.title)}</title>')
    add(f'<desc id="tl-desc">{escape(timeline.description)}</desc>')
    add(
        '<defs><marker id="tl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{ARROW_COLOUR}"/></marker>'
        '<marker id="tl-arrow-conflict" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{LATE_COLOUR}"/></marker></defs>'
    )
    add(f'<rect x="0" y="0" width="{_n(w)}" height="{_n(h)}" fill="#ffffff"/>')

    # The axis and its grid.
    add('<g class="tl-axis" aria-hidden="true">')
    for tick in timeline.ticks:
        add(
            f'<line x1="{_n(tick.x)}" y1="{AXIS_H - 6}" x2="{_n(tick.x)}" y2="{_n(h)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(tick.x + 4)}" y="{AXIS_H - 12}" fill="{MUTED}">'
            f"{escape(tick.label)}</text>"
        )
    add(
        f'<line x1="{LABEL_W}" y1="{AXIS_H - 6}" x2="{_n(timeline.x(timeline.end))}" '
        f'y2="{AXIS_H - 6}" '
        f'stroke="{MUTED}" stroke-width="1"/></g>'
    )

    for lane in timeline.lanes:
        add(f'<g class="tl-lane" data-lane={quoteattr(lane.label)}>')
        add(
            f'<rect x="0" y="{_n(lane.y)}" width="{_n(w)}" height="{LANE_HEAD_H}" '
            f'fill="{LANE_BG}"/>'
            f'<text x="8" y="{_n(lane.y + 17)}" fill="{INK}" font-weight="600">'
            f"{escape(clip(lane.label, w - 16))}</text>"
        )
        for bar in lane.rows:
            _svg_bar(add, bar, links=links, base=base)
        add("</g>")

    for arrow in timeline.arrows:
        colour, marker = (
            (LATE_COLOUR, "tl-arrow-conflict") if arrow.conflict else (ARROW_COLOUR, "tl-arrow")
        )
        points = " L".join(f"{_n(x)},{_n(y)}" for x, y in arrow_points(arrow))
        add(
            f'<path class="tl-dependency{" tl-conflict" if arrow.conflict else ""}" '
            f'data-from="{arrow.blocker}" data-to="{arrow.blocked}" d="M{points}" '
            f'fill="none" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="{"4 3" if arrow.conflict else "none"}" '
            f'marker-end="url(#{marker})"><title>'
            f"{'Scheduled before what it depends on: ' if arrow.conflict else 'Depends on: '}"
            f"{escape(arrow.blocked_name)} after {escape(arrow.blocker_name)}</title></path>"
        )

    if timeline.unscheduled:
        y = timeline.unscheduled_y
        add('<g class="tl-unscheduled">')
        add(
            f'<rect x="0" y="{_n(y)}" width="{_n(w)}" height="{LANE_HEAD_H}" fill="{LANE_BG}"/>'
            f'<text x="8" y="{_n(y + 17)}" fill="{INK}" font-weight="600">Not scheduled</text>'
        )
        for column in timeline.unscheduled:
            cy = y + LANE_HEAD_H + 16
            add(
                f'<text x="{_n(column.x)}" y="{_n(cy)}" fill="{INK}" font-weight="600">'
                f"{escape(column.label)} ({column.count})</text>"
            )
            for item in column.features:
                cy += LINE_H
                add(
                    f'<text x="{_n(column.x)}" y="{_n(cy)}" fill="{MUTED}" font-size="11">'
                    f"{escape(clip(item.title, UNSCHEDULED_COL_W - 12, 11))}</text>"
                )
            if column.more:
                cy += LINE_H
                add(
                    f'<text x="{_n(column.x)}" y="{_n(cy)}" fill="{MUTED}" font-size="11" '
                    f'font-style="italic">+ {column.more} more</text>'
                )
        add("</g>")

    if timeline.today_x is not None:
        tx = _n(timeline.today_x)
        add(
            f'<g class="tl-today"><line x1="{tx}" y1="{AXIS_H - 6}" x2="{tx}" '
            f'y2="{_n(h)}" stroke="{TODAY_COLOUR}" stroke-width="2"/>'
            f'<text x="{_n(timeline.today_x + 4)}" y="12" '
            f'fill="{TODAY_COLOUR}" font-weight="600" font-size="11">Today</text>'
            f"<title>Today, {timeline.today:%d %b %Y}</title></g>"
        )
    add("</svg>")
    return "".join(out)


def _svg_bar(add, bar: Bar, *, links: bool, base: str) -> None:
    label = bar_label(bar)
    stroke = f' stroke="{LATE_COLOUR}" stroke-width="2.5"' if bar.late else ""
    classes = "tl-bar" + (" tl-late" if bar.late else "") + (" tl-milestone" * bar.is_milestone)
    if links:
        add(f"<a href={quoteattr(base + bar.key + '/')} aria-label={quoteattr(label)}>")
    add(f'<g class="{classes}" data-key="{bar.key}" data-status="{bar.status}">')
    add(f"<title>{escape(label)}</title>")
    y = bar.y
    if bar.is_milestone:
        cx, cy, r = bar.x0, bar.mid_y, BAR_H / 2
        add(
            f'<path d="M{_n(cx)},{_n(cy - r)} L{_n(cx + r)},{_n(cy)} L{_n(cx)},{_n(cy + r)} '
            f'L{_n(cx - r)},{_n(cy)} z" fill="{bar.colour}"{stroke}/>'
            f'<text x="{_n(cx + r + 4)}" y="{_n(y + 14)}" fill="{INK}">'
            f"{escape(bar.name)}{' (late)' if bar.late else ''}</text>"
        )
        text_x = cx + r + 4
    else:
        width = max(bar.x1 - bar.x0, 3)
        add(
            f'<rect x="{_n(bar.x0)}" y="{_n(y)}" width="{_n(width)}" height="{BAR_H}" rx="4" '
            f'fill="{bar.colour}"{stroke}/>'
        )
        name = bar.name + (" (late)" if bar.late else "")
        if len(name) * 12 * 0.55 + 10 <= width:
            add(f'<text x="{_n(bar.x0 + 6)}" y="{_n(y + 14)}" fill="#ffffff">{escape(name)}</text>')
        text_x = bar.x0 + 2
    # The name again in the left gutter, where every row can be read down the page.
    add(
        f'<text x="16" y="{_n(y + 14)}" fill="{LATE_COLOUR if bar.late else INK}">'
        f"{escape(clip(bar.name, LABEL_W - 24))}</text>"
    )
    add("</g>")
    if links:
        add("</a>")
    fy = y + BAR_H
    for item in bar.features:
        fy += LINE_H
        add(
            f'<text x="{_n(text_x)}" y="{_n(fy - 2)}" fill="{MUTED}" font-size="11">'
            f"· {escape(clip(item.title, 260, 11))}</text>"
        )
    if bar.more:
        fy += LINE_H
        add(
            f'<text x="{_n(text_x)}" y="{_n(fy - 2)}" fill="{MUTED}" font-size="11" '
            f'font-style="italic">+ {bar.more} more</text>'
        )
