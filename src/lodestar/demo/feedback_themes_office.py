"""Themes 8-14 of the demo feedback, in the order the demo draws them: board performance,
multi-day jobs, online booking, the glanceable next job, permissions, job costing, calendar."""

from __future__ import annotations

from lodestar.demo.feedback_theme_types import (
    Line,
    Theme,
    _board_trend,
    _theme,
)

OFFICE_THEMES: tuple[Theme, ...] = (
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
