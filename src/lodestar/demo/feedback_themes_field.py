"""Themes 1-7 of the demo feedback, in the order the demo draws them: offline photos,
service plans, QuickBooks, route skills, arrival texts, truck inventory, the Spanish app."""

from __future__ import annotations

from lodestar.demo.feedback_theme_types import (
    Line,
    Theme,
    _offline_trend,
    _qbo_trend,
    _theme,
)

FIELD_THEMES: tuple[Theme, ...] = (
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
)
