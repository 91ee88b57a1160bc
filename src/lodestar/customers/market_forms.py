"""Forms for competitors, the capability matrix and research notes. They check shape only;
the services (market_services, research_services) own the rules."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.customers.market_models import Level, NoteKind
from lodestar.customers.market_selectors import MATRIX_SHOWS
from lodestar.planning.models import FeatureStatus


class CompetitorForm(StyledForm):
    name = forms.CharField(max_length=120)
    website = forms.CharField(
        max_length=300, required=False, help_text="https://… (http and https links only)."
    )
    description = forms.CharField(
        max_length=500, required=False, help_text="What they sell and to whom, in a sentence."
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Positioning, pricing, where they win and lose. Markdown.",
    )


class CapabilityForm(StyledForm):
    level = forms.ChoiceField(choices=[("", "Not assessed"), *Level.choices], required=False)
    note = forms.CharField(max_length=500, required=False)
    source_url = forms.CharField(
        max_length=500, required=False, label="Source", help_text="A link: docs, pricing page…"
    )


class MatrixFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Feature")
    product = forms.ChoiceField(required=False, choices=[("", "Any product")])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *FeatureStatus.choices], label="Our status"
    )
    show = forms.ChoiceField(
        required=False, choices=[(k, label) for k, (label, _) in MATRIX_SHOWS.items()]
    )

    def __init__(self, *args, products=(), **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ChoiceField)
        product.choices = [("", "Any product"), *products]


class NoteForm(StyledForm):
    kind = forms.ChoiceField(choices=NoteKind.choices)
    title = forms.CharField(max_length=200)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    company_domain = forms.CharField(
        max_length=253, required=False, label="Company domain", help_text="e.g. northwind.com"
    )
    person_email = forms.CharField(
        max_length=254,
        required=False,
        label="Person's email",
        help_text="Who you talked to (someone under People).",
    )
    participants = forms.CharField(
        max_length=500,
        required=False,
        help_text="Everyone who took part, as you would write it.",
    )
    member_emails = forms.CharField(
        max_length=2000,
        required=False,
        label="Colleagues present",
        help_text="Members' emails, separated by commas.",
    )
    body = forms.CharField(
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        label="Note",
        help_text="Markdown: **bold**, lists, > quotes, links.",
    )


class NoteFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *NoteKind.choices])
    company = forms.ChoiceField(required=False, choices=[("", "Any company")])

    def __init__(self, *args, companies=(), **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        company = self.fields["company"]
        assert isinstance(company, forms.ChoiceField)
        company.choices = [("", "Any company"), *companies]


class HighlightForm(StyledForm):
    quote = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Select words in the note above, or paste them.",
    )
    product_key = forms.ChoiceField(choices=[("", "—")], required=False, label="Product")
    tags = forms.CharField(max_length=400, required=False, help_text="Separated by commas.")

    def __init__(self, *args, products=(), **kwargs):
        kwargs.setdefault("auto_id", "highlight-%s")
        super().__init__(*args, **kwargs)
        product = self.fields["product_key"]
        assert isinstance(product, forms.ChoiceField)
        product.choices = [("", "—"), *products]
