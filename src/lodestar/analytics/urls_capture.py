"""URLs of analytics: the capture endpoints, at the paths PostHog's and Segment's clients post
to (each with and without its trailing slash: clients differ, and a redirect loses a POST)."""

from django.urls import path

from lodestar.analytics.views import capture, snippet

app_name = "analytics_capture"

POSTHOG_PATHS = ("batch", "capture", "e", "i/v0/e")
SEGMENT_KINDS = ("batch", "track", "page", "screen", "identify", "group", "alias")
# analytics.js (the browser library) posts to short paths: /v1/t, /v1/p, ... and /v1/b.
SEGMENT_SHORT = {kind[0]: kind for kind in SEGMENT_KINDS}

urlpatterns: list = [
    path("capture/validate/", capture.validate, name="validate"),
    *[path(f"{route}/", capture.posthog, name=f"posthog-{route}") for route in POSTHOG_PATHS],
    *[path(route, capture.posthog) for route in POSTHOG_PATHS],
    *[path(f"v1/{kind}", capture.segment, {"kind": kind}, name=kind) for kind in SEGMENT_KINDS],
    *[path(f"v1/{kind}/", capture.segment, {"kind": kind}) for kind in SEGMENT_KINDS],
    *[
        path(f"v1/{short}", capture.segment, {"kind": kind})
        for short, kind in SEGMENT_SHORT.items()
    ],
    path("capture.js", snippet.script, name="snippet"),
]
