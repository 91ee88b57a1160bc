"""The fourteen recurring themes of the demo feedback, in customers' own words (data for
lodestar.demo.feedback, which assembles messages from them)."""

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


THEMES: tuple[Theme, ...] = (
    _theme(
        "offline-photos",
        "Offline mode drops photos when the signal returns",
        "mobile",
        (8, 9, 7, 9),
        {"bug": 0.8, "mobile": 0.6},
        [
            "Techs are losing job photos. They take pictures in a basement with no signal, "
            "and when the phone reconnects the photos just vanish from the job. The notes "
            "sync, the photos don't.",
            "Offline mode drops photos when signal comes back. Happened {n} times this week alone.",
            "We work a lot of rural properties with zero bars. The app says it works offline, "
            "and it does, right up until it reconnects and the before/after photos are gone.",
            Line(
                "lost all the photos from {job_example} today. tech swears he took them, phone "
                "had no service in the crawlspace. when he got back to the truck they were "
                "gone from the job",
                "field",
            ),
            "Our warranty claims depend on the photos. When a tech's phone goes offline "
            "mid-job, the photos show as uploaded on the phone but never reach the office. "
            "We've had to send techs back out to re-shoot.",
            "Is there a way to see which photos are still waiting to upload? Right now the "
            "tech has no idea whether the offline photos made it, and half the time they "
            "didn't.",
            "Photo sync after being offline is broken on Android. iPhones seem OK. We have "
            "{techs} techs, mostly on Samsung phones, and it's costing us callbacks.",
            "Bug: take photos in airplane mode, turn airplane mode off, and the photos "
            "disappear from the job. Reproducible every time on the latest version.",
            "Offline mode is the reason we picked Acme. Losing photos when the signal comes "
            "back undermines the whole thing.",
            "Our techs now take every photo twice, once in Acme Tech and once with the phone "
            "camera, because they don't trust the offline sync. That's silly.",
            "A customer disputed a charge and we had no photos to show, because the tech was "
            "offline at the job and the pictures never uploaded. That one cost us ${amount}.",
            "Signatures make it through after being offline but photos don't. Same job, same "
            "phone. Please look at this.",
            Line(
                "Lead tech here. Half my day is in mechanical rooms with no signal. Twice now "
                "the photos from {job_example} were gone once I got back to service.",
                "field",
            ),
        ],
        [
            "Photos taken while offline need to survive when the signal comes back.",
            "Please fix the offline photo sync in Acme Tech.",
            "When a tech reconnects, the photos they took offline disappear from the job.",
            "The app needs to hold on to offline photos until they're really uploaded.",
            "Offline mode keeps dropping photos once the phone gets signal again.",
            "Could the tech app show a clear count of photos still waiting to upload after "
            "working offline?",
        ],
        [
            "Last {weekday} we lost {photos} photos from {job_example}.",
            "It mostly happens in basements and crawlspaces with no service.",
            "Our techs cover {counties} counties and half of it has spotty coverage.",
            "It's worse on Android, but we've seen it on iPhones too.",
            "The notes and checklist sync fine; it's only the photos.",
            "We've had {n} jobs this month with missing photos.",
        ],
        [
            "Without photos we can't file warranty claims.",
            "We've had to send techs back out to re-shoot, which is a wasted truck roll.",
            "Customers dispute invoices when we can't show before and after pictures.",
            "The techs have stopped trusting the app.",
            "Our insurance requires photos on every install.",
        ],
        churn=0.07,
        trend=_offline_trend,
    ),
    _theme(
        "service-plans",
        "Recurring maintenance agreements and service plans",
        "web",
        (7, 9, 6, 6),
        {"billing": 0.5, "scheduling": 0.4},
        [
            "We sell maintenance agreements to about {members} customers and track them in "
            "a spreadsheet because Acme can't. Please add service plans that create the "
            "visits automatically.",
            "Need recurring service plans: bill monthly, schedule the {visits} automatically, "
            "remind the customer. Right now it's a spreadsheet and a lot of sticky notes.",
            Line(
                "Our membership program is the most profitable part of the business and Acme "
                "doesn't know it exists. Members get 15% off and priority scheduling, and the "
                "dispatcher has to remember who's a member.",
                "owner",
            ),
            "Can we have recurring jobs that renew every year with a contract attached? "
            "Recurring {visits} are about {share}% of our revenue.",
            "When a maintenance agreement expires, nobody knows. We lost {n} renewals last "
            "quarter just because nobody called.",
            Line("service agreements!!! we need them. every competitor has them", size="small"),
            Line(
                "We're moving our commercial accounts to annual service contracts with "
                "quarterly PM visits. Acme should generate those visits and flag when one is "
                "overdue.",
                size="large",
            ),
            Line(
                "Please let us mark a customer as being on a service plan and show it on the "
                "dispatch board, so members get the priority slot.",
                "office",
            ),
            Line(
                "I'd like to see service plan revenue separately in the reports, and which "
                "agreements are up for renewal in the next 30 days.",
                "finance",
            ),
            "Our techs sell maintenance agreements in the field, but there's no way to sign "
            "the customer up from the app. They write it on paper and the office re-enters it.",
            "We have {members} members on maintenance plans and we book every one of their "
            "{visits} by hand. There has to be a better way.",
        ],
        [
            "We need recurring maintenance agreements with automatic visit scheduling.",
            "Please add service plans: a contract, a price, and visits that schedule themselves.",
            "Recurring jobs for maintenance plan customers would save us hours every month.",
            "It would help a lot to see which customers are on a service plan.",
            "Please support memberships with a discount, priority booking and automatic renewal.",
        ],
        [
            "We have about {members} customers on a maintenance plan.",
            "The {visits} are booked by hand from a spreadsheet.",
            "We lost {n} renewals last year because nobody tracked the expiry dates.",
            "The agreements are billed monthly, the visits happen a few times a year.",
        ],
        [
            "Service plans are our steadiest revenue and we can't see it in Acme.",
            "The office spends a full day each month just booking {visits}.",
            "We'd sell more plans if the techs could sign people up on site.",
            "Without this we're keeping a second system next to Acme.",
        ],
    ),
    _theme(
        "quickbooks-duplicates",
        "QuickBooks Online sync duplicates invoices",
        "web",
        (14, 5, 0.5, 10),
        {"integration": 0.8, "bug": 0.6, "billing": 0.4},
        [
            "QuickBooks sync created {dups} duplicate invoices on {weekday}. My bookkeeper "
            "spent the whole afternoon voiding them.",
            "Every time we edit an invoice after it syncs, QuickBooks Online gets a second "
            "copy. Please make the sync update the existing invoice instead of creating a new "
            "one.",
            "The QBO integration is duplicating invoices again. Same customer, same amount, "
            "two invoice numbers. Customers are getting two payment reminders and calling us "
            "confused.",
            Line("quickbooks double invoices AGAIN. 3rd time this month", size="small"),
            "Our accountant wants to know why QuickBooks shows {dups} invoices that don't "
            "exist in Acme. Turns out the sync re-sent them after the connection expired.",
            "After reconnecting QuickBooks, it pushed every invoice from the last two weeks "
            "again. {dups} duplicates to clean up.",
            "Duplicate invoices in QuickBooks Online are making our AR report useless. We "
            "can't tell who actually owes us money.",
            Line(
                "Controller here. I need the QuickBooks sync to be boring: one Acme invoice, "
                "one QBO invoice, every time. Right now it isn't.",
                "finance",
            ),
            "Payments taken in the field show up twice in QuickBooks, once from Acme Tech and "
            "once from the deposit. We match them by hand.",
            "Could you add a sync log that shows what was sent to QuickBooks and when? When "
            "duplicates happen we have no idea why.",
            "Honestly the QuickBooks duplicates are the reason we're looking at {competitor}. "
            "It's the one thing that has to just work.",
            "A customer got charged twice because the duplicate invoice in QBO went out with "
            "autopay. Embarrassing. Please prioritize.",
            Line(
                "I do the books at night after the jobs are done and lately half of that time "
                "goes into deleting duplicate invoices the QuickBooks sync made. Its really "
                "getting old.",
                "owner",
                "small",
            ),
        ],
        [
            "Please stop the QuickBooks Online sync from creating duplicate invoices.",
            "The QuickBooks sync should update invoices, not create new ones.",
            "We need a way to see and undo what the QuickBooks sync did.",
            "Fix the QBO duplicates, please.",
            "The QuickBooks integration keeps doubling our invoices.",
        ],
        [
            "On {weekday} it created {dups} duplicates.",
            "It seems to happen whenever someone edits an invoice after it has synced.",
            "It happened again right after we reconnected the integration.",
            "Our bookkeeper now checks for doubles every morning.",
            "Some customers received two invoices for the same job.",
        ],
        [
            "Our AR numbers are wrong until someone cleans it up.",
            "It makes us look sloppy in front of customers.",
            "Our accountant bills us extra for the cleanup.",
            "Month-end close takes an extra day because of it.",
        ],
        churn=0.12,
        trend=_qbo_trend,
    ),
    _theme(
        "route-skills",
        "Route optimization ignores technician skills",
        "web",
        (2, 9, 10, 3),
        {"scheduling": 0.7},
        [
            "The route optimizer sent our apprentice to a commercial boiler job. It needs to "
            "respect skills and certifications, not just drive time.",
            "Optimize Routes is great for drive time but ignores who can actually do the "
            "work. We have {techs} techs and only {certified} of them are licensed for gas "
            "work.",
            "Route optimization should let us tag techs with skills (gas, backflow, "
            "high-voltage, refrigerant) and only give them jobs they're qualified for.",
            Line(
                "Every morning I run the optimizer and then spend {minutes} minutes moving jobs "
                "back because it gave them to the wrong tech.",
                "office",
            ),
            "We can't use the route optimizer at all. It doesn't know that only two of our "
            "guys do commercial refrigeration.",
            "Please make the optimizer respect skills and let us pin a job to a specific "
            "tech. It keeps reassigning our best customers' regular tech.",
            "The optimizer ignores certifications. A tech without an EPA 608 card legally "
            "can't touch refrigerant. This is a compliance problem, not a nice-to-have.",
            "Feature request: skill-based routing. {competitor} does this and it's the one "
            "thing our dispatchers keep bringing up.",
            "The route optimizer assumes every tech can do every job. A lot of our customers "
            "prefer a bilingual tech; it would be great if language were a skill too.",
            "Route optimizer sent a tech without a ladder rack to a two-story job lol. We "
            "need skills and equipment on the tech profile.",
            Line(
                "Skills matching in the optimizer, please. We're {branches} branches and "
                "{techs} techs, and the dispatchers have given up on the Optimize button.",
                size="large",
            ),
        ],
        [
            "The route optimizer needs to take technician skills into account.",
            "Please let us set skills and certifications on techs and have the optimizer "
            "respect them.",
            "We'd use route optimization every day if it knew who is qualified for what.",
            "Skill-based routing would be a big deal for us.",
        ],
        [
            "Only {certified} of our {techs} techs can do gas work.",
            "Yesterday it gave a commercial job to a first-year apprentice.",
            "Our dispatchers undo about half of what it suggests.",
            "We have techs certified for backflow testing and techs who aren't.",
        ],
        [
            "Right now it creates more work than it saves.",
            "Sending the wrong tech means a second visit and an unhappy customer.",
            "It's a licensing issue for us, not just efficiency.",
            "We're paying for a feature we can't use.",
        ],
    ),
    _theme(
        "arrival-texts",
        "Arrival-window text notifications for customers",
        "web",
        (10, 7, 4, 9),
        {"quick-win": 0.5, "scheduling": 0.2},
        [
            "Customers want a text when the tech is on the way. Our office fields about "
            '{calls} "where\'s my tech?" calls a day.',
            'Can Acme send an SMS with the arrival window the day before, and an "on my '
            "way\" text with the tech's photo? That alone would cut our no-shows.",
            'We get a lot of "nobody came" complaints when the customer just wasn\'t home. A '
            "text reminder with the 8 to 12 window would fix most of it.",
            Line("on my way texts pls. every customer asks for it", size="small"),
            "The email confirmation is fine but nobody reads email. Our customers are older "
            "homeowners and they want a text message.",
            "Please let us customize the arrival text. We'd like it to include the tech's "
            "name and photo so people open the door. Lots of our customers are elderly and "
            "nervous about strangers.",
            Line(
                "When a job runs long, the next customer's window should update and they "
                "should get a text. Right now I call each one myself.",
                "office",
            ),
            "We pay for a separate texting service just to send arrival notifications. If "
            "Acme did it we'd drop that bill.",
            "Customer arrival notifications are the number one thing our CSRs ask for. Easy "
            "win, I'd think.",
            'Can the tech tap "On my way" in Acme Tech and have the customer get a text '
            "with a live ETA? {competitor} has it and customers love it.",
        ],
        [
            "Please add text notifications for customers with the arrival window.",
            'We need an "on my way" text that goes to the customer automatically.',
            "Customers should get an SMS reminder the day before with their time window.",
            "Arrival-window texts would save our office a ton of phone calls.",
        ],
        [
            'Our CSRs take about {calls} "where\'s my tech" calls a day.',
            "We had {n} missed appointments last month because the customer forgot.",
            "Most of our customers don't read email but they do read texts.",
            "The window we give is usually four hours, which is long to wait without news.",
        ],
        [
            "Every missed appointment is a wasted truck roll.",
            "It would free up our office staff for actual booking.",
            "Our reviews mention the waiting more than the work.",
            "It's the kind of thing customers notice right away.",
        ],
    ),
    _theme(
        "truck-inventory",
        "Parts inventory on the truck",
        "mobile",
        (3, 8, 9, 3),
        {"mobile": 0.6},
        [
            "Our techs need to see what parts are on their truck and have them deducted when "
            "they add them to a job. Right now we count trucks by hand every Friday.",
            "Truck stock! We have {trucks} trucks and no idea what's on any of them until "
            "someone runs out of a part in the middle of a job.",
            "Please add van inventory to Acme Tech. A tech uses a part on the job, it comes "
            "off his truck, and the warehouse gets a restock list at the end of the day.",
            Line(
                "We lose thousands of dollars a year in parts that go on jobs and never get "
                "billed. If parts used in the app came out of truck inventory, we'd catch them.",
                "owner",
            ),
            "Our techs make supply-house runs mid-day because they didn't know their truck "
            "was out of a fitting. That's an hour lost every time.",
            "Can we transfer stock between trucks in the app? Techs swap parts in the parking "
            "lot all the time and it's never recorded.",
            "We need minimum stock levels per truck with a reorder alert. {competitor} has "
            "this and our ops manager keeps showing it to me.",
            "Inventory per truck with barcode scanning in the tech app would be huge. We "
            "carry about {parts} SKUs on each truck.",
            Line(
                "Parts on the truck should show on the job screen, so I know before I leave "
                "the shop whether I have what I need.",
                "field",
            ),
            "we do monthly truck audits on paper. would love to do them in the app",
        ],
        [
            "We need parts inventory per truck in Acme Tech.",
            "Please track truck stock and deduct parts when techs use them on jobs.",
            "Truck inventory with restock alerts would be a big help.",
            "Let techs see what parts are on their truck from the app.",
        ],
        [
            "We run {trucks} trucks with roughly {parts} SKUs on each.",
            "Right now we count every truck by hand once a week.",
            "Between them, our techs make {n} supply-house runs a week.",
            "Parts used on jobs often never get billed.",
        ],
        [
            "The unbilled parts add up to real money.",
            "Every supply-house run is an hour the tech isn't billing.",
            "Our warehouse guy spends his Fridays counting trucks.",
            "It's the main thing our service manager complains about.",
        ],
    ),
    _theme(
        "spanish-app",
        "Spanish-language technician app",
        "mobile",
        (4, 6, 6, 4),
        {"mobile": 0.6, "quick-win": 0.2},
        [
            "About half our techs are more comfortable in Spanish. Could Acme Tech be "
            "translated? The checklists especially.",
            "Please add Spanish to the technician app. Our best tech barely uses it because "
            "he can't read the job notes well in English.",
            Line(
                "¿Hay planes para una versión en español de Acme Tech? La mitad de mis "
                "técnicos la necesitan.",
                "owner",
            ),
            "Spanish language support for the mobile app, please. We have {techs} techs and "
            "{spanish} of them prefer Spanish.",
            "Our checklists are in English, so our Spanish-speaking techs fill them out using "
            "their phone's translate feature. That's not great for the safety items.",
            "We would love a Spanish version of the tech app, including the checklist items "
            "and the customer signature screen. A lot of our homeowners speak Spanish too.",
            "Does Acme Tech support other languages? We're hiring a lot of bilingual techs "
            "and the app is English only. Spanish would be the first one we need.",
            "Spanish for the app, por favor. Training new techs would go twice as fast.",
            Line("Hola, the app in spanish would help my crew a lot. Thank you!", "field"),
            "A language setting per user in the tech app would be nice: English for the "
            "office, Spanish for the field crew.",
        ],
        [
            "Please translate Acme Tech into Spanish.",
            "We need a Spanish-language version of the technician app.",
            "A language setting in the tech app, with Spanish, would help a lot.",
            "Spanish checklists in the mobile app would make a real difference.",
        ],
        [
            "{spanish} of our {techs} techs prefer Spanish.",
            "Our newest hires mostly speak Spanish.",
            "The techs use their phone's translator to read job notes.",
            "Safety checklist items get misunderstood.",
        ],
        [
            "Training new techs takes twice as long as it should.",
            "Mistakes in the checklist turn into callbacks.",
            "Some of our best techs avoid the app and call the office instead.",
            "Hiring is hard enough; the app shouldn't be a barrier.",
        ],
    ),
    _theme(
        "board-performance",
        "Dispatch board slow with 50+ technicians",
        "web",
        (0.3, 5, 16, 1),
        {"performance": 0.85, "bug": 0.3},
        [
            "The dispatch board takes {seconds} seconds to load with our {techs} techs on it. "
            "Dragging a job freezes the browser for a few seconds.",
            Line(
                "The dispatch board is unusable in the morning rush. We have {techs} "
                "technicians across {branches} branches and the board just spins.",
                size="large",
            ),
            Line(
                "Since we crossed about 50 techs, the dispatch board has gotten really slow. "
                "Filtering by branch helps a bit but the dispatchers need to see everyone.",
                size="large",
            ),
            "Performance of the dispatch board is now our biggest complaint. Our dispatchers "
            "keep two browser tabs open because one always hangs.",
            "board is so slow today. 20+ seconds to move a job. pls look",
            Line(
                "Our dispatchers handle around {jobs} jobs a day. When the board lags, "
                "everything downstream lags: techs sit in the truck waiting for their next "
                "job.",
                size="large",
            ),
            Line(
                "We're rolling Acme out to our remaining branches next quarter, but not until "
                "the dispatch board can handle the load. Right now it can't with the "
                "{branches} branches we already have.",
                size="large",
            ),
            "Chrome uses 3 GB of memory with the dispatch board open. Our dispatchers' PCs "
            "aren't new. Please make it lighter with large teams.",
            Line(
                "I timed it: {seconds} seconds from opening the board to being able to drag a "
                "job. With {techs} techs, that's every single morning.",
                "office",
            ),
            "Large-team performance on the dispatch board needs attention. We looked at "
            "{competitor} last month and their board was instant with the same data. Not a "
            "threat, just honest feedback.",
            "The week view on the dispatch board crashes the tab for us. Day view works but "
            "is slow. We're at {techs} techs.",
            Line(
                "IT here. We profiled the dispatch board for our dispatchers: most of the "
                "{seconds} seconds are spent rendering every tech's row, even the ones off "
                "screen.",
                "it",
                "large",
            ),
        ],
        [
            "The dispatch board needs to be faster for large teams.",
            "Please fix the dispatch board's performance with 50+ techs.",
            "The dispatch board lags badly once all our techs are on it.",
            "We need the dispatch board to stay responsive at our size.",
        ],
        [
            Line("We have {techs} techs on the board across {branches} branches.", size="large"),
            "Load time is around {seconds} seconds in the morning.",
            "Dragging a job to another tech freezes for a few seconds.",
            "It's worst between 7 and 9 a.m. when everyone is on it.",
        ],
        [
            "Techs sit waiting for their next assignment while the board loads.",
            "Our dispatchers are frustrated and it shows with customers.",
            Line("It's holding up the rollout to our other branches.", size="large"),
            "This is the one thing that could make us leave.",
        ],
        churn=0.14,
        trend=_board_trend,
    ),
    _theme(
        "multi-day-jobs",
        "Multi-day jobs",
        "web",
        (4, 6, 5, 4),
        {"scheduling": 0.7, "billing": 0.2},
        [
            "We do installs that take two or three days. Acme makes us create a separate job "
            "for each day, and then invoicing is a mess.",
            "Please support multi-day jobs. A {big_job} is 2 to 3 days with the same crew, "
            "and we want one job and one invoice.",
            "Multi-day jobs show up as three separate jobs in the customer portal and the "
            "customer thinks we booked them three times.",
            Line(
                "Is there a way to schedule a job that spans several days with different techs "
                "each day? Commercial jobs do this all the time.",
                size="large",
            ),
            "We split multi-day jobs into Day 1, Day 2 and so on, and copy the notes over by hand. "
            "The photos end up spread across three jobs.",
            Line("need multi day jobs. a {big_job} takes us 3 days", size="small"),
            Line(
                "Our {big_job} jobs run over several days. The tech's hours should roll up "
                "into one job so the job costing is right.",
                "finance",
            ),
            Line(
                'When a multi-day job runs into tomorrow, let me mark it "continue next day" '
                "instead of closing it. That's how the work actually happens.",
                "field",
            ),
            "Multi-day scheduling would let us see crew availability for the whole week. "
            "Right now a 3-day job looks like three unrelated visits.",
        ],
        [
            "We need proper multi-day jobs.",
            "Please let one job span several days.",
            "Jobs that take more than a day should stay one job, with one invoice.",
            "Support for multi-day jobs would clean up our schedule a lot.",
        ],
        [
            "A {big_job} usually takes us two to three days.",
            "Right now we create a separate job for each day.",
            "The photos and notes end up split across several jobs.",
            "Different techs may work different days of the same job.",
        ],
        [
            "Invoicing is a mess because the work is split up.",
            "Customers get confused seeing the same job three times.",
            "Our job costing is wrong for every big install.",
            "The dispatchers waste time copying notes between days.",
        ],
    ),
    _theme(
        "online-booking",
        "Online booking in the customer portal",
        "web",
        (12, 5, 1.5, 10),
        {"scheduling": 0.4, "quick-win": 0.2},
        [
            "Customers keep asking to book online. Could the customer portal show open time "
            "slots and let them pick one?",
            'We want a "Book now" button on our website that drops the request straight '
            "onto the dispatch board.",
            "Half our calls come in after hours. If customers could book online through the "
            "portal, we'd catch those jobs instead of losing them to whoever answers first.",
            Line(
                "online booking through the portal please!! we're a small shop and I can't "
                "answer the phone while I'm on a job",
                "owner",
                "small",
            ),
            "The customer portal is nice for paying invoices, but it should let customers "
            "request and book service too.",
            "I'd like customers to be able to book {visits} online, limited to the time "
            "windows we choose.",
            "Online booking is table stakes now. Our younger customers won't call. "
            "{competitor} offers it out of the box.",
            "If we could embed a booking widget on our website it would replace the contact "
            "form we use now, which just sends us an email.",
            Line(
                "I'm a one-truck operation plus my wife in the office. Online booking would "
                "give her back a couple of hours a day.",
                "owner",
                "small",
            ),
            "Please add online scheduling to the customer portal, with the option for us to "
            "approve a booking before it's confirmed.",
        ],
        [
            "Please let customers book appointments online through the portal.",
            "We'd love online booking in the customer portal.",
            "A booking widget for our website would be great.",
            "Customers should be able to pick an open slot and book it online.",
        ],
        [
            "About a third of our requests come in after business hours.",
            "We miss calls whenever everyone is out on jobs.",
            "Right now our website form just sends an email that we retype.",
            "We only want to offer the windows we choose, not the whole calendar.",
        ],
        [
            "Every missed call is a job going to a competitor.",
            "It would free up hours of phone time each week.",
            "Younger customers simply won't call.",
            "It's the feature our customers mention most.",
        ],
    ),
    _theme(
        "glanceable-next-job",
        "Apple Watch and lock-screen next job",
        "mobile",
        (2.5, 1.5, 1, 4),
        {"mobile": 0.8},
        [
            Line(
                "Would love an Apple Watch app that just shows my next job and the address. "
                "Hard to pull out the phone with gloves on.",
                "field",
            ),
            "Glanceable next job, on the watch or as a lock-screen widget. That's all we need "
            "while driving between calls.",
            "Any plans for Apple Watch? A tap on the wrist when dispatch adds a job would be "
            "great.",
            "Our techs wear smartwatches. A simple next job and drive time on the watch face "
            "would save them unlocking the phone 40 times a day.",
            Line("home screen widget for acme tech with the next job would be sweet", "field"),
            Line(
                "Lead tech here. Half my crew has Galaxy watches, the other half Apple Watch. "
                "Even just notifications with the job address on the watch would help.",
                "field",
            ),
            "A lock-screen widget showing the next job and its time window. It's a small "
            "thing but we look at that info constantly.",
            "Apple Watch app: next job, customer name, tap to navigate. Keep it that simple.",
        ],
        [
            "An Apple Watch app showing the next job would be handy.",
            "Please add a lock-screen widget with the tech's next job.",
            "Glanceable next-job info, on a watch or a widget, would help our techs.",
        ],
        [
            "Techs often have gloves on or dirty hands.",
            "They check the next address dozens of times a day.",
            "About half our crew wears a smartwatch.",
        ],
        [
            "Small thing, but it adds up over a day.",
            "It would keep phones in pockets while driving.",
            "The techs would love it.",
        ],
        churn=0.0,
    ),
    _theme(
        "office-permissions",
        "Better permissions for office staff",
        "web",
        (0.7, 6, 14, 1),
        {"enterprise": 0.4},
        [
            "We need finer permissions for office staff. Our CSRs can currently see job "
            "margins and edit invoices, and they shouldn't.",
            Line(
                "Please add custom roles. Dispatchers, CSRs and accounting need very different "
                "access, and admin versus user isn't enough for {techs} techs and {office} "
                "office staff.",
                size="large",
            ),
            "Our auditors flagged that every office user can delete invoices in Acme. We need "
            "a permission to restrict that before our next audit.",
            "Permission to see prices and costs should be separate from permission to "
            "schedule. Our dispatchers don't need to see what we pay for parts.",
            Line(
                "Branch-level permissions, please. A dispatcher in one branch shouldn't see or "
                "move jobs in the other branches.",
                size="large",
            ),
            Line(
                "IT Director here. We need role-based access control that we can audit, "
                "ideally mapped to our SSO groups. This is blocking the rollout to "
                "{branches} branches.",
                "it",
                "large",
            ),
            "Can we restrict who can issue refunds? Right now anyone with office access can, "
            "and it has caused two incidents.",
            Line(
                "I'd like to hide the reports menu from our front desk. A simple on/off "
                "permission per user would already help.",
                "office",
            ),
            "We bring on office temps in the summer. I need to give them booking access "
            "without access to customer payment info, and the roles can't do that.",
            Line(
                "Granular permissions are the deciding factor for our renewal. Our security "
                "review requires least-privilege roles and an audit log of changes.",
                size="large",
            ),
            "Current permissions are all or nothing. Either someone can see everything, "
            "including job costing, or they can't use the app at all.",
        ],
        [
            "We need more granular permissions for office staff.",
            "Please add custom roles so we can limit what CSRs and dispatchers can do.",
            Line("Branch-level permissions would help us a lot.", size="large"),
            "Let us control with permissions who can see costs, edit invoices and issue refunds.",
        ],
        [
            Line("We have {office} people in the office across {branches} branches.", size="large"),
            "Right now every office user can edit or delete invoices.",
            "Our CSRs can see margins they shouldn't.",
            "Our auditors flagged it last quarter.",
        ],
        [
            "It's a compliance issue for us.",
            Line(
                "We can't roll Acme out to the other branches until this is solved.", size="large"
            ),
            "The security review for our renewal depends on it.",
            "We've already had a refund issued by mistake.",
        ],
        churn=0.06,
    ),
    _theme(
        "job-costing",
        "Job costing report by technician",
        "web",
        (1.5, 7, 12, 2),
        {"reporting": 0.85},
        [
            "We need a job costing report by technician: labor hours, parts and drive time "
            "against revenue. Today our controller builds it in Excel from three exports.",
            Line(
                "Which techs are profitable? I can't answer that from Acme. Please add job "
                "costing by tech, with callbacks counted against the original tech.",
                "owner",
            ),
            Line(
                "Controller here. I need gross margin per job and per technician, exportable, "
                "by month. It's the report the owners ask me for every month.",
                "finance",
            ),
            "Revenue per tech is there, but without labor and material cost it doesn't tell "
            "me much. Job costing by technician, please.",
            "We're moving to performance pay for techs next year. We need reliable job "
            "costing per technician to do that.",
            "A job costing report that includes drive time and unbilled time. Our techs look "
            "busy but the margin on some routes is terrible.",
            Line(
                "The reports are fine for small shops, but at our size ({techs} techs) we need "
                "job costing by tech, by branch and by job type.",
                size="large",
            ),
            Line(
                "Our CFO wants to see cost versus revenue per technician per month. Right now "
                "we export to our BI tool for the job costing and it takes a week.",
                size="large",
            ),
            "job costing by tech is the only thing i still do in excel. would love to kill "
            "that spreadsheet",
            "Please add callbacks to the technician report. A tech who closes lots of jobs "
            "but causes callbacks isn't actually our most profitable tech.",
        ],
        [
            "We need a job costing report broken down by technician.",
            "Please add margin per job and per tech to the reports.",
            "Job costing by technician would replace a big monthly spreadsheet for us.",
            "We'd like labor, parts and drive time against revenue per tech, as a job "
            "costing report.",
        ],
        [
            "Today it gets pieced together from three exports.",
            "We have {techs} techs and no clear idea which ones are profitable.",
            "We want to include callbacks and unbilled time.",
            Line("It needs to go by month, by branch and by job type.", size="large"),
        ],
        [
            "The owners ask for this every month.",
            "We can't set up performance pay without it.",
            "We're probably underpricing some job types and can't tell.",
            "It takes our finance team about a week each month.",
        ],
    ),
    _theme(
        "google-calendar",
        "Google Calendar two-way sync",
        "web",
        (9, 3, 0.5, 7),
        {"integration": 0.85, "scheduling": 0.3},
        [
            "Please add two-way Google Calendar sync. Our techs live in Google Calendar and "
            "we double-book them when their personal appointments aren't in Acme.",
            "The Google Calendar export is one-way. When I block off time in Google, Acme "
            "doesn't know, and dispatch books me anyway.",
            Line(
                "Google Calendar two-way sync! I'm the owner and I also run calls. I keep my "
                "schedule in Google and end up double-booked.",
                "owner",
                "small",
            ),
            "Could tech time off from Google Calendar show on the dispatch board? Right now "
            "vacation lives in one place and jobs in another.",
            "gcal sync both ways pls. the ics feed is not enough",
            "Our estimator books appointments in Google Calendar from his phone. We'd love "
            "those to show up in Acme automatically.",
            "Two-way sync with Google Workspace calendars for the whole team. We switched to "
            "Google last year and it's the one thing missing.",
            "When a job moves in Acme, the Google Calendar event stays at the old time. Then "
            "the tech shows up at the wrong time. The sync needs to update, not just create.",
            Line(
                "We're a small team and honestly Google Calendar is our real schedule. If Acme "
                "synced both ways, we'd use Acme for everything.",
                size="small",
            ),
        ],
        [
            "We need two-way Google Calendar sync.",
            "Please make the Google Calendar sync work both ways.",
            "Blocks we add in Google Calendar should show up in Acme.",
            "A proper two-way Google Calendar integration would stop the double-bookings.",
        ],
        [
            "Right now the feed only goes from Acme to Google.",
            "Time off and personal appointments live in Google.",
            "We double-booked {n} jobs last month because of it.",
            "Moved jobs don't update in Google.",
        ],
        [
            "Double-bookings mean a customer waiting for nobody.",
            "Our techs keep two calendars and neither is right.",
            "It's the last reason we still use another tool.",
        ],
    ),
)

# One-off remarks, questions and praise: no theme, so the inbox isn't only themes.
MISC: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("web", "Love the new invoice templates. Customers have commented on how professional "
     "they look.", ()),
    ("mobile", "The new checklist builder is great. Thank you!", ()),
    ("web", "Can the customer search also match phone numbers typed with dashes?",
     ("quick-win",)),
    ("web", "Is there a dark mode for the dispatch board? Our night dispatcher would "
     "appreciate it.", ()),
    ("mobile", "The signature screen is a bit small on older phones.", ("mobile",)),
    ("web", "How do I export all customers to CSV? Couldn't find it.", ()),
    ("mobile", "The app asked me to log in again this morning, not sure why.", ("bug",)),
    ("web", "Support was super helpful today, shout out to the team.", ()),
    ("web", "Would be nice to attach PDFs to quotes.", ("quick-win",)),
    ("mobile", "Please make the Complete Job button harder to hit by accident.",
     ("mobile", "quick-win")),
    ("web", "Can quotes expire automatically after 30 days?", ()),
    ("web", "Our logo looks blurry on the PDF invoice.", ("bug", "billing")),
    ("mobile", "A barcode scanner for serial numbers on equipment records would be nice.",
     ("mobile",)),
    ("web", "Can we add a second phone number to a customer?", ("quick-win",)),
    ("mobile", "Directions sometimes open Apple Maps even though I picked Google Maps.",
     ("bug", "mobile")),
    ("web", "Invoice reminder emails go to spam for some of our customers.", ("billing",)),
    ("web", "Please add tags on customers so we can filter commercial from residential.", ()),
    ("web", "Great product, the onboarding was smooth. Thanks!", ()),
    ("mobile", "Could the app remember the last checklist used for this customer?",
     ("mobile",)),
    ("web", "Quotes with good, better and best options would help our techs sell.", ()),
    ("mobile", "A clock-in reminder when I arrive at the first job would be great.",
     ("mobile",)),
    ("web", "I wish I could print the day's schedule per tech on one page.", ()),
    ("web", "Financing options on quotes, like monthly payments, would help with "
     "big-ticket jobs.", ("billing",)),
    ("mobile", "Can we collect a tip on the payment screen?", ("billing", "mobile")),
    ("web", "The customer portal should show past service history, not just invoices.", ()),
    ("mobile", "The app drains the battery faster since the last update.",
     ("bug", "mobile")),
    ("web", "Where did the duplicate job button go? It was there last week.", ()),
    ("web", "The revenue report takes a long time to load for the full year.",
     ("performance", "reporting")),
    ("mobile", "Voice-to-text for job notes would save a lot of typing.", ("mobile",)),
    ("web", "Can we set different labor rates for after-hours jobs?", ("billing",)),
    ("mobile", "Please let techs see the customer's previous jobs and notes before "
     "arriving.", ("mobile",)),
    ("web", "The new dispatch board colors are much easier on the eyes. Nice work.", ()),
)  # fmt: skip
MISC_WEIGHTS = (8.0, 8.0, 7.0, 12.0)
