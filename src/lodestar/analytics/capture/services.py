"""The one write of capture: accepted events into the durable spool."""

from __future__ import annotations

import logging

from lodestar.analytics import store
from lodestar.core.errors import Invalid, LodestarError

log = logging.getLogger(__name__)


class Unavailable(LodestarError):
    """The events could not be made durable (disk full, read-only disk): nothing was kept."""

    status = 503
    code = "unavailable"
    default_message = "Events cannot be stored right now; send them again later."


def capture_accept(*, rows: list[dict]) -> int:
    """Append `rows` (normalized spool rows) to this process's spool; they are durable
    (written and fdatasynced) when this returns, so the caller may answer 200. Returns the
    number of rows. Raises Unavailable when the disk refuses them."""
    if not rows:
        return 0
    try:
        store.get_spool().append(rows)
    except (ValueError, TypeError):  # unencodable: normalize.py should have dropped it
        log.exception("capture: events could not be encoded")
        raise Invalid("The events could not be encoded as JSON; nothing was stored.") from None
    except OSError as exc:
        log.error("capture: the spool refused %d events: %s", len(rows), exc)
        raise Unavailable() from None
    return len(rows)
