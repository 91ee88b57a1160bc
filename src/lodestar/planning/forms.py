from django import forms

from lodestar.core.forms import LongSelect, StyledForm
from lodestar.planning.models import Confidence, EffortUnit, FeatureStatus, Horizon, ScoringKind


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
    owner_key = forms.ChoiceField(required=False, label="Owner")
    team_key = forms.ChoiceField(required=False, label="Team")
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

    def __init__(self, *args, products=(), parents=(), owners=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("product_key", products),
            ("parent_key", parents),
            ("owner_key", owners),
            ("team_key", teams),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "—"), *choices]


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
