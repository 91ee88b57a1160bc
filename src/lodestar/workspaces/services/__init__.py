"""Writes for workspaces, members, invitations, products, teams and API tokens.

Callers (views, API, CLI) have already resolved the actor's membership and checked the
permission named in lodestar.workspaces.permissions; the rules that depend on *which* object
is touched (the last owner, owner-only grants) are enforced here. Every function validates
first and writes in one transaction, so a refused request writes nothing.
"""

from lodestar.workspaces.services.catalog import (
    product_create,
    product_delete,
    product_update,
    team_create,
    team_delete,
    team_member_add,
    team_member_remove,
    team_update,
)
from lodestar.workspaces.services.members import (
    INVITATION_DAYS,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
    invitation_token,
    membership_remove,
    membership_set_role,
)
from lodestar.workspaces.services.tokens import (
    TOKEN_PREFIX,
    token_create,
    token_revoke,
)
from lodestar.workspaces.services.workspace import (
    workspace_create,
    workspace_update,
)

__all__ = [
    "INVITATION_DAYS",
    "TOKEN_PREFIX",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_send",
    "invitation_token",
    "membership_remove",
    "membership_set_role",
    "product_create",
    "product_delete",
    "product_update",
    "team_create",
    "team_delete",
    "team_member_add",
    "team_member_remove",
    "team_update",
    "token_create",
    "token_revoke",
    "workspace_create",
    "workspace_update",
]
