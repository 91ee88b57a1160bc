"""The permission layer for workspace URLs: resolve the membership, check the role.

HTML views use `workspace_view`; API operations use `api_access`. Both attach an
`Access` record (lodestar.core.access) that the URL-enumeration test checks against the
permission matrix.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone

from lodestar.accounts.models import User
from lodestar.core.access import Access
from lodestar.core.errors import MethodNotAllowed
from lodestar.workspaces.models import Membership, Workspace
from lodestar.workspaces.permissions import PERMISSIONS, require
from lodestar.workspaces.selectors import membership_for

SAFE_METHODS = frozenset({"GET", "HEAD"})


class WorkspaceRequest(HttpRequest):
    """What a view wrapped by workspace_view or api_access receives (for type checkers)."""

    user: User
    workspace: Workspace
    membership: Membership


def _check_names(*names: str | None) -> None:
    for name in names:
        if name is not None and name not in PERMISSIONS:
            raise ImproperlyConfigured(f"Unknown permission {name!r}")


def workspace_view(*, read: str | None, write: str | None = None):
    """Wrap an HTML view under /w/<slug>/. GET needs `read`, other methods need `write`
    (None: the method is not allowed). The view gets request.workspace/.membership and
    not the slug."""
    _check_names(read, write)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request, slug: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(user=request.user, slug=slug)
            permission = read if request.method in SAFE_METHODS else write
            if permission is None:
                raise MethodNotAllowed()
            require(membership, permission)
            request.workspace = membership.workspace
            request.membership = membership
            # Dates on workspace pages read in the workspace's time zone, not the server's.
            with timezone.override(zoneinfo.ZoneInfo(membership.workspace.time_zone)):
                return view(request, *args, **kwargs)

        wrapped.access = Access("workspace", read, write)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def api_access(permission: str):
    """Wrap an API operation with a `slug` path parameter. The caller (session or token
    user) must be a member with `permission`; a token only opens its own workspace."""
    _check_names(permission)

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapped(request, slug: str, *args, **kwargs):
            membership = membership_for(
                user=request.auth, slug=slug, token=getattr(request, "api_token", None)
            )
            require(membership, permission)
            request.workspace = membership.workspace
            request.membership = membership
            return func(request, slug, *args, **kwargs)

        # One operation, one method: the same permission guards it whatever the method.
        wrapped.access = Access("workspace", permission, permission)  # type: ignore[attr-defined]
        return wrapped

    return decorator
