"""Forms for the strategy and the decision log. They check shape only; services own the rules."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.strategy.models import DecisionStatus, ObjectiveStatus

_MD = "Markdown: **bold**, lists, > quotes, links."


def _set_choices(form: forms.Form, name: str, choices, blank: str | None = "—") -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = ([("", blank)] if blank is not None else []) + list(choices)


class VisionForm(StyledForm):
    statement = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Vision",
        help_text="Where this product is going and for whom, in a few sentences. " + _MD,
    )


class ObjectiveForm(StyledForm):
    title = forms.CharField(max_length=200)
    product_key = forms.ChoiceField(label="Product", required=False)
    period = forms.CharField(max_length=20, help_text="The quarter, e.g. 2026-Q4.")
    weight = forms.IntegerField(
        min_value=1, max_value=100, initial=1, help_text="How much it counts, 1 to 100."
    )
    owner_key = forms.ChoiceField(label="Owner", required=False)
    status = forms.ChoiceField(choices=ObjectiveStatus.choices, initial=ObjectiveStatus.ON_TRACK)
    description = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}), help_text=_MD
    )

    def __init__(self, *args, products=(), members=(), **kwargs):
        kwargs.setdefault("auto_id", "objective-%s")
        super().__init__(*args, **kwargs)
        _set_choices(self, "product_key", products, blank=None)
        _set_choices(self, "owner_key", members, blank="Nobody yet")


class KeyResultForm(StyledForm):
    metric = forms.CharField(
        max_length=200, help_text="What you measure, e.g. Weekly active dispatchers."
    )
    unit = forms.CharField(max_length=20, required=False, help_text="%, ms, accounts…")
    baseline = forms.CharField(max_length=30, initial="0", required=False)
    target = forms.CharField(max_length=30)
    current = forms.CharField(
        max_length=30, required=False, help_text="A change is recorded as a check-in."
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "kr-%s")
        super().__init__(*args, **kwargs)


class LinkFeatureForm(StyledForm):
    feature_title = forms.CharField(
        max_length=200,
        label="Feature",
        help_text="Type its title; suggestions appear as you type.",
        widget=forms.TextInput(attrs={"list": "feature-titles", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)


class DecisionForm(StyledForm):
    title = forms.CharField(max_length=200)
    product_key = forms.ChoiceField(label="Product", required=False)
    status = forms.ChoiceField(choices=DecisionStatus.choices, initial=DecisionStatus.PROPOSED)
    decided_on = forms.DateField(
        required=False, label="Decided on", widget=forms.DateInput(attrs={"type": "date"})
    )
    superseded_by_key = forms.ChoiceField(
        label="Superseded by", required=False, help_text="Choosing one marks this superseded."
    )
    context = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What forced a decision. " + _MD,
    )  # fmt: skip
    options = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}),
        label="Options considered", help_text=_MD,
    )  # fmt: skip
    outcome = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), help_text=_MD
    )
    rationale = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this option: the logic and the data. " + _MD,
    )  # fmt: skip
    decider_keys = forms.MultipleChoiceField(
        label="Deciders", required=False, widget=forms.CheckboxSelectMultiple
    )
    objective_keys = forms.MultipleChoiceField(
        label="Objectives it serves", required=False, widget=forms.CheckboxSelectMultiple
    )
    feature_titles = forms.CharField(
        required=False, max_length=10_000, label="Features",
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Feature titles, one per line.",
    )  # fmt: skip
    insight_keys = forms.MultipleChoiceField(
        label="Customer insights (evidence)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The most important insights on its features; save the features first to "
        "see theirs.",
    )

    def __init__(
        self, *args, products=(), members=(), objectives=(), decisions=(), insights=(), **kwargs
    ):
        kwargs.setdefault("auto_id", "decision-%s")
        super().__init__(*args, **kwargs)
        _set_choices(self, "product_key", products, blank="Any product")
        _set_choices(self, "superseded_by_key", decisions, blank="Not superseded")
        _set_choices(self, "decider_keys", members, blank=None)
        _set_choices(self, "objective_keys", objectives, blank=None)
        _set_choices(self, "insight_keys", insights, blank=None)
