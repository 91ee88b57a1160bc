"""WSGI entry point used by `lodestar serve` (gunicorn): each worker loads the application,
then freezes its start-up heap (lodestar.core.heap) and starts its event compactor thread."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.settings")
application = get_wsgi_application()

from lodestar.core.heap import freeze_startup_heap  # noqa: E402 - needs Django set up

freeze_startup_heap()

from lodestar.analytics.store import start_ticker  # noqa: E402

# Every worker moves accepted events into the event store; a flock lets one at a time.
start_ticker()
