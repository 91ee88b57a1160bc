"""Forms for the changelog. They check shape only; changelog_services owns the rules."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.delivery.models import MAX_TEXT

_MD = "Markdown: **bold**, lists, ### headings, links. Customers read it on the portal."


class DraftForm(StyledForm):
    """Which shipped features a new entry is about (ticked: shipped since the last entry)."""

    feature_keys = forms.MultipleChoiceField(
        label="Shipped features",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ticked: shipped since the last published entry and in no entry yet.",
    )
    product_key = forms.ChoiceField(
        label="Product",
        required=False,
        help_text="Optional: leave it to the features when they are all of one product.",
    )

    def __init__(self, *args, features=(), products=(), **kwargs):
        kwargs.setdefault("auto_id", "draft-%s")
        super().__init__(*args, **kwargs)
        self.fields["feature_keys"].choices = list(features)  # type: ignore[attr-defined]
        self.fields["product_key"].choices = [("", "—"), *products]  # type: ignore[attr-defined]


class EntryForm(StyledForm):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 14}), help_text=_MD
    )
    product_key = forms.ChoiceField(label="Product", required=False)
    feature_keys = forms.MultipleChoiceField(
        label="Features",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their voters and requesters are emailed when the entry is first published.",
    )

    def __init__(self, *args, features=(), products=(), **kwargs):
        kwargs.setdefault("auto_id", "entry-%s")
        super().__init__(*args, **kwargs)
        self.fields["feature_keys"].choices = list(features)  # type: ignore[attr-defined]
        self.fields["product_key"].choices = [("", "—"), *products]  # type: ignore[attr-defined]
