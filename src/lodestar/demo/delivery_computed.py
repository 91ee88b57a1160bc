"""The part of the demo's Ship story Lodestar computes itself, once everything else is in:
today's forecasts (and the schedule risks they propose), the budget checks (and the budget
risks), and the status reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from lodestar.delivery import budget_services, forecast_services, report_selectors
from lodestar.delivery.models import ReportStatus
from lodestar.delivery.report_services import report_generate
from lodestar.workspaces.models import Workspace


def finish_delivery(workspace: Workspace, today: date, actor, report: Callable) -> None:
    """Called last by build_demo (the status reports read the events too). Last week's
    report is recorded as sent without mail: a demo emails nobody."""

    products = list(workspace.products.order_by("pk"))
    report("ship", 0, 2 * len(products))
    for product in products:
        forecast_services.refresh_product(product, today=today)
    budget_services.check_all_budgets()
    this_week = report_selectors.current_week(workspace)
    for product in products:
        last = report_generate(
            product=product,
            actor=actor,
            week_start=this_week - timedelta(weeks=1),
            refresh_forecasts=False,
        )
        last.status = ReportStatus.SENT
        last.sent_at = datetime.combine(this_week - timedelta(days=3), time(16), tzinfo=UTC)
        last.sent_by = actor
        last.sent_to = report_selectors.recipients(product)
        last.save()
        report_generate(product=product, actor=actor, refresh_forecasts=False)
    report("ship", 2 * len(products), 2 * len(products))
