"""Access metadata carried by every view and API operation.

Each URL's view is wrapped by one of `public`, `signed_in` (here) or
`lodestar.workspaces.access.workspace_view` / `api_access`. The wrapper enforces the rule and
records it on the function as `.access`, which the URL-enumeration test reads: a view without
it fails the test, so no URL can be added without deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from django.contrib.auth.views import redirect_to_login


@dataclass(frozen=True)
class Access:
    kind: Literal["public", "signed_in", "workspace"]
    read: str | None = None  # permission needed for GET/HEAD (workspace views)
    write: str | None = None  # permission needed for other methods; None: method not allowed


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Anyone, signed in or not. The view does its own checks (tokens, rate limits)."""
    view.access = Access("public")  # type: ignore[attr-defined]
    return view


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any signed-in user; the view only touches that user's own data."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.access = Access("signed_in")  # type: ignore[attr-defined]
    return wrapped
