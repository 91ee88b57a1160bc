"""Forms of the budget pages. Amounts are text: the service parses them (1,250.50, 12.5k)
and says what is wrong next to the field."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.delivery.models import CostCategory


def _amount(label: str, help_text: str, required: bool) -> forms.CharField:
    return forms.CharField(
        required=required,
        max_length=40,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PlanForm(StyledForm):
    planned_override = _amount(
        "Planned cost",
        "Leave blank to use the plan computed from effort x the team's cost per week.",
        required=False,
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note",
        help_text="Where the figure comes from (a quote, the approved budget).",
    )


class CostLineForm(StyledForm):
    description = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=CostCategory.choices, initial=CostCategory.PEOPLE)
    # Not required here: the service says what is missing, next to the field.
    amount = _amount("Amount", "0 or more, at most 2 decimals: 1250, 1,250.50, 12.5k.", False)
    spent_on = forms.DateField(
        required=False,
        label="Date spent",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Not in the future.",
    )
