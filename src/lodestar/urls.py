from django.urls import include, path

from lodestar.api import api
from lodestar.core import views as core_views
from lodestar.workspaces.views import members as member_views
from lodestar.workspaces.views import workspace as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("accounts/", include("lodestar.accounts.urls")),
    path("invite/<str:token>/", member_views.invitation_accept, name="invitation_accept"),
    path("api/v1/", api.urls),
    path("", include("lodestar.workspaces.urls")),
    path("", include("lodestar.customers.urls")),
    # Before feedback.urls: its /feedback/<key>/ would take /feedback/themes/ for a key.
    path("", include("lodestar.feedback.similar_urls")),
    path("", include("lodestar.feedback.urls")),
    path("", include("lodestar.feedback.intake_urls")),
    path("", include("lodestar.feedback.ideas_urls")),
    path("", include("lodestar.feedback.portal_urls")),
    path("", include("lodestar.customers.market_urls")),
    # Before planning.urls: the Plan stage's own pages.
    path("", include("lodestar.planning.urls_releases")),
    path("", include("lodestar.planning.urls_roadmap")),
    path("", include("lodestar.planning.urls_backlog")),
    path("", include("lodestar.planning.urls_share")),
    path("", include("lodestar.planning.urls")),
    path("", include("lodestar.strategy.urls")),
    # Measure: capture endpoints answer at the root (/batch/, /v1/batch), as the SDKs expect.
    path("", include("lodestar.analytics.urls_capture")),
    path("", include("lodestar.analytics.urls_sql")),
    path("", include("lodestar.analytics.urls_friction")),
    path("", include("lodestar.analytics.urls_charts")),
    path("", include("lodestar.analytics.urls_insights")),
    # Ship: risks, forecasts, budgets, status reports, the changelog.
    path("", include("lodestar.delivery.urls_risks")),
    path("", include("lodestar.delivery.urls_forecast")),
    path("", include("lodestar.delivery.urls_budgets")),
    path("", include("lodestar.delivery.urls_reports")),
    path("", include("lodestar.delivery.urls_changelog")),
    # Experiments: A/B tests, their results and decisions.
    path("", include("lodestar.experiments.urls")),
    path("", include("lodestar.experiments.urls_results")),
]

handler400 = "lodestar.core.views.bad_request"
handler403 = "lodestar.core.views.permission_denied"
handler404 = "lodestar.core.views.not_found"
handler500 = "lodestar.core.views.server_error"
