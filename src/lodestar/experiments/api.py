"""API for experiments, and the assignment endpoint for teams without a flag system. No
`from __future__ import annotations` (see lodestar/api.py)."""

from ninja import Router

router = Router(tags=["experiments"])
