"""Template context for the app shell: the current workspace, the switcher, the loop nav."""

from __future__ import annotations

from django.http import HttpRequest

from lodestar.workspaces.permissions import PERMISSIONS, role_can
from lodestar.workspaces.selectors import memberships_of


def workspace_nav(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)

    def can(permission: str) -> bool:
        return membership is not None and role_can(membership.role, permission)

    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        # Evaluated lazily by the template: one query, only on pages that show the switcher.
        "my_memberships": memberships_of(user),
        # Keyed with underscores for templates: {% if can.member_manage %}
        "can": {name.replace(".", "_"): can(name) for name in PERMISSIONS},
    }
