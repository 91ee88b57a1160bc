"""What Acme Field Service's customers tell the product team: the demo's feedback inbox.

Fourteen themes recur, each in the customers' own words: dispatchers, owners, lead techs,
controllers and IT people at heating, plumbing, electrical and pest-control businesses. The
mix is built to tell a story once the feedback is grouped into themes:

* Counted by mentions, the small shops are loudest. QuickBooks Online sync duplicating
  invoices, online booking in the customer portal and "on my way" arrival texts top the list,
  with Google Calendar two-way sync close behind. Owner-operators write often and briefly.
* Ranked by the ARR behind them, the picture flips. Enterprise and mid-market fleets ask for
  a dispatch board that stays fast with 50+ technicians, finer permissions for office staff,
  job costing by technician, skill-aware route optimization and truck-stock inventory.
  Fewer messages, far more revenue, and more "churn-risk" tags.
* Some themes affect everyone: offline mode losing photos when the signal returns,
  recurring maintenance agreements, multi-day jobs, a Spanish-language technician app. The
  Apple Watch / lock-screen "next job" idea is a charming long tail.
* Time matters too. The QuickBooks complaints jump after an accounting-API change in March
  2026 and ease off after a partial fix in August; the offline-photo bug spikes after the
  Acme Tech release of late June 2026; dispatch-board complaints grow steadily as larger
  fleets sign up. Feedback arrives faster over the 18 months, on weekdays, in office hours.

Every message is assembled from a theme's complete phrasings, or from an ask, a concrete
detail and its impact, with openers in the author's voice, closers, e-mail greetings, sales
and CSM notes around quoted customers, the occasional second topic or threat to switch to a
fictional competitor. Each customer keeps raising its own handful of themes (drawn by its
segment's interests), so counting distinct companies or their ARR per theme is meaningful;
numbers such as the technician or branch count come from the author's company, so a
customer quotes the same fleet size every time.
"""

from __future__ import annotations

import math
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from lodestar.accounts.models import User
from lodestar.customers.models import Company, Person
from lodestar.demo.clock import demo_now
from lodestar.demo.feedback_filters import build_saved_filters
from lodestar.demo.feedback_profiles import Profile, Values, company_profile
from lodestar.demo.feedback_themes import (
    MISC,
    MISC_WEIGHTS,
    SPAN_DAYS,
    TAGS,
    THEMES,
    Line,
    Theme,
)
from lodestar.demo.feedback_voices import (
    ANONYMOUS_NOTES,
    CHURN_LINES,
    CLOSERS,
    GREETINGS,
    HELLOS,
    NOTE_SHARE,
    NOTES,
    OPENERS,
    SECOND_TOPIC,
    SIGNOFFS,
    VOICES,
)
from lodestar.feedback.models import Feedback, Source, Status, Tag
from lodestar.feedback.search import fold
from lodestar.workspaces.models import Membership, Product, Workspace

GROWTH_DAYS = 300.0  # feedback volume grows by e over this many days
BATCH = 5_000
MAX_TAGS = 3

Progress = Callable[[str, int, int], None]


PERSON_WEIGHT = (1.0, 1.6, 2.6, 1.0)  # larger customers have more to say, per contact
MISC_SHARE = 0.08  # of a known customer's feedback, one-off remarks outside their themes


@cache
def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _usable(templates: Sequence[str], have: set[str]) -> list[str]:
    return [t for t in templates if _fields(t) <= have]


# Per theme: (voice, size) -> usable phrasings, computed once.
_Pools = dict[tuple[str | None, str | None], tuple[tuple[Line, ...], ...]]


def _pools(theme: Theme) -> _Pools:
    pools: _Pools = {}
    for voice in (None, "owner", "office", "field", "finance", "it"):
        for size in (None, "small", "large"):
            pools[voice, size] = tuple(
                tuple(
                    line
                    for line in group
                    if (voice is None or line.voice in (None, voice))
                    and (size is None or line.size in (None, size))
                )
                for group in (theme.lines, theme.asks, theme.details, theme.impacts)
            )
    return pools


@dataclass
class _Author:
    person_id: int | None
    company_id: int | None
    name: str
    first: str
    title: str
    voice: str | None
    profile: Profile


def _times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """Oldest first; more recent days are busier; weekdays, office hours (US Central)."""
    scale = 1 - math.exp(-SPAN_DAYS / GROWTH_DAYS)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    times: list[datetime] = []
    while len(times) < count:
        age = -GROWTH_DAYS * math.log(1 - rng.random() * scale)
        day = midnight - timedelta(days=int(age))
        if day.weekday() >= 5 and rng.random() < 0.75:
            continue
        when = day + timedelta(seconds=int(rng.triangular(12 * 3600, 24 * 3600 - 60, 15 * 3600)))
        if when >= now:
            when -= timedelta(days=1)
        times.append(when)
    times.sort()
    return times


def _message(
    rng: random.Random,
    theme: Theme,
    pools: _Pools,
    author: _Author,
    source: str,
    values: Values,
    partner: Theme | None,
    partner_pools: _Pools | None,
    hello: bool,
) -> tuple[str, bool]:
    """The customer's words about a theme; and whether they threaten to leave."""
    lines, asks, details, impacts = pools[author.voice, author.profile.size]
    parts: list[str] = []
    voiced = False
    if rng.random() < 0.5:
        line = rng.choice(lines)
        voiced = line.voice is not None
        parts.append(line.text)
    else:
        ask = rng.choice(asks).text
        detail = rng.choice(details).text if rng.random() < 0.65 else None
        impact = rng.choice(impacts).text if rng.random() < 0.55 else None
        if detail and rng.random() < 0.3:
            parts += [detail, ask]
        else:
            parts += [ask] + ([detail] if detail else [])
        if impact:
            parts.append(impact)
    casual = source == Source.WIDGET
    if not voiced and rng.random() < (0.1 if casual else 0.3):
        if author.voice and rng.random() < 0.7:
            openers = OPENERS[author.voice]
        else:
            openers = OPENERS[None] + HELLOS if hello else OPENERS[None]
        parts.insert(0, rng.choice(openers))
    if partner is not None and partner_pools is not None:
        other = partner_pools[author.voice, author.profile.size][1]
        parts += [rng.choice(SECOND_TOPIC), rng.choice(other).text]
    churn = rng.random() < theme.churn * (1.6 if author.profile.segment == 2 else 1.0)
    if churn:
        parts.append(rng.choice(CHURN_LINES))
    if not churn and rng.random() < (0.08 if casual else 0.25):
        parts.append(rng.choice(CLOSERS))
    text = " ".join(parts).format_map(values)
    if casual and rng.random() < 0.06:
        text = text.lower().rstrip(".")
    return text, churn


def _fill(template: str, fill: dict[str, str]) -> str:
    if fill["company"].endswith("."):  # "Acme Co.", not "Acme Co.."
        template = template.replace("{company}.", "{company}")
    return template.format_map(fill)


def _frame(rng: random.Random, author: _Author, source: str) -> str:
    """How the words arrive: as they are, in an e-mail, or quoted in a colleague's note.
    "{text}" marks where they go."""
    have = {"text"}
    fill = {"text": "{text}", "company": author.profile.name, "title": author.title}
    if author.company_id is not None:
        have.add("company")
    if author.name:
        have |= {"name", "first", "who"}
        fill |= {"name": author.name, "first": author.first}
        fill["who"] = f"{author.name} ({author.title})" if author.title else author.name
    if author.title:
        have.add("title")
    if author.person_id is None:
        if source == Source.MANUAL:
            return _fill(rng.choice(_usable(ANONYMOUS_NOTES, have)), fill)
        return "{text}"
    if source == Source.EMAIL:
        greeting = rng.choice(GREETINGS) + "\n\n" if rng.random() < 0.4 else ""
        signoffs = _usable(SIGNOFFS, have)
        signoff = (
            "\n\n" + _fill(rng.choice(signoffs), fill) if signoffs and rng.random() < 0.5 else ""
        )
        return greeting + "{text}" + signoff
    if rng.random() < NOTE_SHARE.get(source, 0.0):
        notes = _usable(NOTES[source], have)
        if notes:
            return _fill(rng.choice(notes), fill)
    return "{text}"


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def build_feedback(
    rng: random.Random,
    workspace: Workspace,
    submitters: list[User],
    triagers: list[Membership],
    count: int,
    report: Progress,
    processed_by_theme: dict[str, list[int]] | None = None,
    now: datetime | None = None,
) -> int:
    """Create `count` feedback in the workspace from its customers' people, received over
    the SPAN_DAYS before `now` (the demo's now: lodestar.demo.clock); return how many.
    `processed_by_theme`, when given, receives the ids of processed feedback per theme key
    (what the demo links to features)."""
    products = {p.key: p.pk for p in Product.objects.filter(workspace=workspace)}
    Tag.objects.bulk_create([Tag(workspace=workspace, name=n) for n in TAGS], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(workspace=workspace, name__in=TAGS).values_list("name", "pk"))
    profiles: dict[int, Profile] = {}
    for pk, name, segment, employees in (
        Company.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("pk", "name", "segment", "employees")
    ):
        profiles[pk] = company_profile(rng, name, segment, employees)
    companies = sorted(profiles)
    company_cum = _cumulative([PERSON_WEIGHT[profiles[pk].segment] for pk in companies])
    authors: list[_Author] = []
    for pk, name, title, company_id in (
        Person.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("pk", "name", "title", "company_id")
    ):
        profile = profiles.get(company_id) or company_profile(rng, "", "", None)
        name = (name or "").strip()
        authors.append(
            _Author(
                pk, company_id if company_id in profiles else None, name,
                name.split()[0] if name else "", (title or "").strip(),
                VOICES.get((title or "").strip().lower()), profile,
            )
        )  # fmt: skip
    author_cum = _cumulative([PERSON_WEIGHT[a.profile.segment] for a in authors])

    pools = {theme.key: _pools(theme) for theme in THEMES}
    owners = {theme.key: rng.choice(triagers) if triagers else None for theme in THEMES}
    choices: list[Theme | None] = [*THEMES, None]  # None: a one-off remark
    months = SPAN_DAYS // 30 + 1
    theme_weight = {
        (segment, month): {t.key: t.weights[segment] * t.trend(month * 30 + 15) for t in THEMES}
        for segment in range(4)
        for month in range(months)
    }
    theme_cum = {
        (segment, month): _cumulative(
            [t.weights[segment] * t.trend(month * 30 + 15) for t in THEMES]
            + [MISC_WEIGHTS[segment]]
        )
        for segment in range(4)
        for month in range(months)
    }
    sources = (Source.SUPPORT, Source.EMAIL, Source.WIDGET, Source.SALES, Source.MANUAL)
    source_cum = [
        _cumulative(w)
        # SMB, mid-market, enterprise, a contact without a known company
        for w in (
            (34, 24, 22, 8, 12),
            (32, 22, 14, 16, 16),
            (30, 20, 8, 22, 20),
            (36, 26, 22, 4, 12),
        )
    ]
    with_submitter = {Source.MANUAL, Source.SALES, Source.SUPPORT}

    now = now or demo_now()
    times = _times(rng, count, now)
    inbox_from = int(count * 0.6)
    created = 0
    batch: list[Feedback] = []
    batch_tags: list[list[int]] = []
    batch_themes: list[str] = []
    for i, when in enumerate(times):
        # Who said it
        if authors and rng.random() >= 0.1:
            author = rng.choices(authors, cum_weights=author_cum)[0]
            source = rng.choices(sources, cum_weights=source_cum[author.profile.segment])[0]
        else:  # an anonymous widget post, or a colleague's note
            source = Source.WIDGET if rng.random() < 0.6 else Source.MANUAL
            about: int | None = None  # a colleague's note may be about an account
            if source == Source.MANUAL and companies and rng.random() < 0.5:
                about = rng.choices(companies, cum_weights=company_cum)[0]
            profile = profiles[about] if about else company_profile(rng, "", "", None)
            author = _Author(None, about, "", "", "", None, profile)
        frame = _frame(rng, author, source)
        # What about
        age = (now - when).total_seconds() / 86_400
        month = min(int(age // 30), months - 1)
        cum = theme_cum[author.profile.segment, month]
        concerns = author.profile.themes
        theme: Theme | None
        if not concerns:  # anonymous, or nothing known about them: anything goes
            theme = rng.choices(choices, cum_weights=cum)[0]
        elif rng.random() < MISC_SHARE:
            theme = None
        else:
            weight = theme_weight[author.profile.segment, month]
            theme = rng.choices(concerns, weights=[weight[t.key] for t in concerns])[0]
        tags: list[str] = []
        if theme is None:
            product_key, text, misc_tags = rng.choice(MISC)
            tags += misc_tags
            churn = False
        else:
            product_key = theme.product
            partner = None
            if rng.random() < 0.06:
                partner = rng.choice(concerns) if concerns else rng.choice(THEMES)
                if partner is theme:
                    partner = None
            values = Values(rng, author.profile)
            text, churn = _message(
                rng, theme, pools[theme.key], author, source, values, partner,
                pools[partner.key] if partner else None, frame.startswith("{text}"),
            )  # fmt: skip
            if churn and rng.random() < 0.85:
                tags.append("churn-risk")
            tags += [name for name, p in theme.tags if rng.random() < p]
            if partner is not None:
                tags += [name for name, p in partner.tags if rng.random() < p / 2]
        if author.profile.segment == 2 and rng.random() < 0.45:
            tags.append("enterprise")
        text = frame.replace("{text}", text)
        # Triage
        r = rng.random()
        if i >= inbox_from:
            status = Status.INBOX if r < 0.9 else Status.PROCESSED
        elif r < 0.04:
            status = Status.INBOX
        elif r < (0.5 if theme is None else 0.18):
            status = Status.ARCHIVED
        else:
            status = Status.PROCESSED
        assign = {Status.PROCESSED: 0.6, Status.ARCHIVED: 0.25}.get(status, 0.06)
        assignee = None
        if triagers and rng.random() < assign:
            owner = owners[theme.key] if theme is not None else None
            assignee = owner if owner is not None and rng.random() < 0.7 else rng.choice(triagers)
        if status == Status.INBOX and rng.random() < 0.7:
            tags = []  # untriaged: mostly not tagged yet
        unique = list(dict.fromkeys(tags))[:MAX_TAGS]
        batch.append(
            Feedback(
                workspace=workspace,
                product_id=products.get(product_key),
                text=text,
                search_text=fold(text),  # bulk_create skips Feedback.save()
                source=source,
                person_id=author.person_id,
                company_id=author.company_id,
                submitted_by=rng.choice(submitters)
                if submitters and source in with_submitter
                else None,
                status=status,
                assignee=assignee,
                received_at=when,
            )
        )
        batch_tags.append([tag_ids[name] for name in unique])
        batch_themes.append(theme.key if theme is not None and status == Status.PROCESSED else "")
        if len(batch) == BATCH or i == count - 1:
            created += _flush(batch, batch_tags)
            if processed_by_theme is not None:
                for feedback, key in zip(batch, batch_themes, strict=True):
                    if key:
                        processed_by_theme.setdefault(key, []).append(feedback.pk)
            batch, batch_tags, batch_themes = [], [], []
            report("feedback", i + 1, count)
    build_saved_filters(workspace)
    return created


def _flush(batch: list[Feedback], batch_tags: list[list[int]]) -> int:
    Feedback.objects.bulk_create(batch, batch_size=1000)
    through = Feedback.tags.through
    Feedback.tags.through.objects.bulk_create(
        [
            through(feedback_id=feedback.pk, tag_id=tag)
            for feedback, tags in zip(batch, batch_tags, strict=True)
            for tag in tags
        ],
        batch_size=2000,
    )
    return len(batch)
