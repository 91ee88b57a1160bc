"""The form that creates a share link (the service checks scope and expiry bounds)."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.planning.roadmap_models import RoadmapView


class ShareLinkForm(StyledForm):
    label = forms.CharField(
        max_length=80, help_text="Who or what the link is for, e.g. Board meeting Q1."
    )
    product_keys = forms.MultipleChoiceField(
        label="Products",
        widget=forms.CheckboxSelectMultiple,
        help_text="The link shows these products only.",
    )
    views = forms.MultipleChoiceField(
        label="Views",
        choices=RoadmapView.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[RoadmapView.TIMELINE, RoadmapView.RELEASES],
        help_text="The tabs the link opens.",
    )
    expires_on = forms.DateField(
        required=False,
        label="Works until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The link stops working after this day. 30 days if left empty; at most a year.",
    )
    show = forms.MultipleChoiceField(
        required=False,
        label="Also show these internal fields",
        choices=[
            ("customers", "Customer names: which companies asked for each feature"),
            ("arr", "ARR: the annual revenue of the customers behind each feature"),
            ("scores", "Scores: each feature's latest priority score"),
            ("comments", "Comments: what customers wrote on the portal ideas behind each feature"),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="Each stays hidden from the link unless you tick it.",
    )

    def __init__(self, *args, products=(), default_expiry=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product_keys"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(products)
        if len(field.choices) == 1:
            field.initial = [field.choices[0][0]]
        if default_expiry is not None:
            self.fields["expires_on"].initial = default_expiry

    def clean(self):
        data = super().clean()
        if data is not None:
            shown = set(data.pop("show", None) or ())
            for name in ("customers", "arr", "scores", "comments"):
                data[f"show_{name}"] = name in shown
        return data
