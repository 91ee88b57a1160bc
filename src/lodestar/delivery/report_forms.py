"""Forms for status reports: which week to generate, the markdown editor."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.delivery.models import StatusReport


class GenerateForm(StyledForm):
    product = forms.ChoiceField(label="Product")
    week = forms.DateField(
        required=False,
        label="Week of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the week to report on (weeks start on Monday). Empty: this week.",
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(products)


class ReportEditForm(StyledForm):
    body = forms.CharField(
        label="Report (Markdown)",
        strip=False,
        max_length=StatusReport._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 28, "class": "report-editor", "spellcheck": "true"}),
        help_text="Markdown: # headings, - lists, | tables |, **bold**. Preview shows it as "
        "stakeholders will read it; nothing is saved until you save.",
    )
