"""What a roadmap viewer may see of the internal fields: customer names, ARR, scores and
comments. Members see everything; the stakeholder role and share links see none of them,
unless a share link turns some on one by one. Every roadmap view and export takes a
`Visible` and leaves out what it hides (the server does not send it at all)."""

from __future__ import annotations

from dataclasses import dataclass

from lodestar.workspaces.models import Membership, Role


@dataclass(frozen=True)
class Visible:
    customers: bool = False
    arr: bool = False
    scores: bool = False
    comments: bool = False

    @classmethod
    def everything(cls) -> Visible:
        return cls(customers=True, arr=True, scores=True, comments=True)

    @classmethod
    def for_member(cls, membership: Membership) -> Visible:
        if membership.role == Role.STAKEHOLDER:
            return cls()
        return cls.everything()

    @classmethod
    def for_link(cls, link) -> Visible:
        return cls(
            customers=link.show_customers,
            arr=link.show_arr,
            scores=link.show_scores,
            comments=link.show_comments,
        )
