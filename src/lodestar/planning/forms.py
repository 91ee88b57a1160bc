from django import forms

from lodestar.core.forms import LongSelect, StyledForm
from lodestar.planning.models import (
    Confidence,
    EffortUnit,
    FeatureStatus,
    Horizon,
    ImpactUnit,
    ScoringKind,
)


def _money(label: str, help_text: str = "") -> forms.CharField:
    """An optional amount of the workspace currency: 50000, 50,000, 50k or 1.2M (the service
    parses it as company ARR is parsed, and checks the range's order)."""
    return forms.CharField(
        required=False,
        max_length=30,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class FeatureForm(StyledForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Markdown: **bold**, lists, links.",
    )
    status = forms.ChoiceField(choices=FeatureStatus.choices, initial=FeatureStatus.NEW)
    product_key = forms.ChoiceField(required=False, label="Product")
    parent_key = forms.ChoiceField(required=False, label="Part of (initiative)", widget=LongSelect)
    horizon = forms.ChoiceField(choices=[("", "—"), *Horizon.choices], required=False)
    release_key = forms.ChoiceField(
        required=False,
        label="Release",
        help_text="Planned or in-progress releases of the feature's product (after changing the "
        "product, save, then choose).",
    )
    owner_key = forms.ChoiceField(required=False, label="Owner", widget=LongSelect)
    team_key = forms.ChoiceField(required=False, label="Team", widget=LongSelect)
    effort = forms.DecimalField(
        required=False, min_value=0, max_digits=8, decimal_places=2, label="Effort estimate"
    )
    effort_unit = forms.ChoiceField(
        choices=EffortUnit.choices, initial=EffortUnit.POINTS, label="Effort unit"
    )
    effort_confidence = forms.ChoiceField(
        choices=Confidence.choices, initial=Confidence.MEDIUM, label="Confidence in the estimate"
    )
    tags = forms.CharField(max_length=300, required=False, help_text="Separate tags with commas.")
    new_revenue_low = _money("New revenue, low")
    new_revenue = _money(
        "Expected new revenue",
        "A year's revenue from customers not asking yet (a new segment, an add-on), e.g. 50k. "
        "Leave low and high empty if you have one figure.",
    )
    new_revenue_high = _money("New revenue, high")
    impact_metric = forms.CharField(
        max_length=120,
        required=False,
        label="Expected to move (metric)",
        help_text="The outcome this feature should change, e.g. Weekly active technicians.",
    )
    impact_change = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        label="Expected change",
        help_text="Negative for a drop, e.g. -20.",
    )
    impact_unit = forms.ChoiceField(
        choices=ImpactUnit.choices, initial=ImpactUnit.PERCENT, label="Change in", required=False
    )

    def __init__(
        self, *args, products=(), parents=(), owners=(), teams=(), releases=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if releases is None:  # adding a feature: it has no product's releases to offer yet
            del self.fields["release_key"]
        else:
            field = self.fields["release_key"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "— none"), *releases]
        for name, choices in (
            ("product_key", products),
            ("parent_key", parents),
            ("owner_key", owners),
            ("team_key", teams),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "—"), *choices]

    def clean(self):
        data = super().clean()
        if data is not None and not data.get("impact_unit"):
            data.pop("impact_unit", None)  # not sent (an older client): keep the feature's unit
        return data


class ScoringModelForm(StyledForm):
    product_key = forms.ChoiceField(label="Product")
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=ScoringKind.choices, initial=ScoringKind.RICE)
    formula = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Leave empty to use the kind's standard formula. Numbers, + - * / **, "
            "parentheses, min max log sqrt round, and driver names."
        ),
    )
    weights = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Optional named weights the formula uses, one per line: w_revenue = 1.5. "
            "What-if on the ranking changes them one by one."
        ),
    )
    is_default = forms.BooleanField(required=False, label="Default model for the product")

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is None:  # editing: the product does not change
            del self.fields["product_key"]
        else:
            field = self.fields["product_key"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = list(products)


class DriverForm(StyledForm):
    """One number per entered driver; blank clears a value."""

    def __init__(self, *args, names=(), **kwargs):
        kwargs.setdefault("prefix", "driver")  # ids apart from the feature form's
        super().__init__(*args, **kwargs)
        for name in names:
            self.fields[name] = forms.CharField(
                required=False, max_length=40, label=name.replace("_", " ").capitalize()
            )
