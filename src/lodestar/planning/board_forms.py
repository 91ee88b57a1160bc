"""Forms of the roadmap boards, saved views and the roadmap's history, and the parsing of a
board's filters from a query string (unknown values are dropped, not errors: a board URL
is often hand-edited or old)."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from lodestar.core.forms import StyledForm
from lodestar.planning.boards import VIEWS, Filters
from lodestar.planning.models import FeatureStatus
from lodestar.planning.roadmap_models import RoadmapView


def board_view_from(query: QueryDict) -> str:
    view = query.get("view", "horizons")
    return view if view in VIEWS else "horizons"


def filters_from(query: QueryDict) -> Filters:
    """The board's filters in `query` (each trimmed and bounded)."""

    def one(name: str, limit: int) -> str:
        value = " ".join(query.get(name, "").split())[:limit]
        return "" if "\x00" in value else value

    statuses = tuple(s for s in query.getlist("status")[:10] if s in FeatureStatus.values)
    return Filters(
        product=one("product", 40),
        team=one("team", 16),
        owner=one("owner", 16),
        tag=one("tag", 40),
        statuses=tuple(dict.fromkeys(statuses)),
        text=one("q", 100),
        unplaced=query.get("unplaced") == "1",
    )


class SavedViewForm(StyledForm):
    """Save the roadmap view one looks at under a name (the page posts view and query)."""

    name = forms.CharField(
        max_length=60,
        label="Name",
        help_text="For example: Platform team, this quarter.",
        error_messages={"required": "Name this view."},
    )
    view = forms.ChoiceField(choices=RoadmapView.choices, widget=forms.HiddenInput)
    shared = forms.BooleanField(required=False, label="Share with the workspace")

    def __init__(self, *args, can_share: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "save-view-%s")
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


class SavedViewEditForm(StyledForm):
    """Rename one's own view, or share / unshare it (view.share)."""

    name = forms.CharField(
        max_length=60, label="Name", error_messages={"required": "Name this view."}
    )
    shared = forms.BooleanField(required=False, label="Shared with the workspace")

    def __init__(self, *args, saved=None, can_share: bool = False, **kwargs):
        assert saved is not None
        self.saved = saved
        kwargs.setdefault("auto_id", f"view-{saved.key}-%s")
        kwargs.setdefault("initial", {"name": saved.name, "shared": saved.shared})
        super().__init__(*args, **kwargs)
        if not can_share and not saved.shared:
            del self.fields["shared"]


class SinceForm(StyledForm):
    """The history page's period and product (checked by history.since_parse)."""

    since = forms.CharField(
        required=False,
        max_length=20,
        label="Changed since",
        help_text="A date, YYYY-MM-DD. Empty: the last 30 days.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    product = forms.ChoiceField(required=False, label="Product")

    def __init__(self, *args, products: list[tuple[str, str]], **kwargs):
        kwargs.setdefault("auto_id", "changes-%s")
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ChoiceField)
        product.choices = [("", "All products"), *products]
