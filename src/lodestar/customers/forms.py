from django import forms

from lodestar.core.forms import StyledForm
from lodestar.customers.models import Segment


class CompanyFilterForm(forms.Form):
    """The list's filters, read from the query string. Invalid values are ignored, not 500s."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    segment = forms.ChoiceField(
        required=False, choices=[("", "Any segment"), *Segment.choices], label="Segment"
    )
    plan = forms.ChoiceField(required=False, choices=[("", "Any plan")], label="Plan")
    arr_min = forms.DecimalField(required=False, min_value=0, label="ARR from")
    arr_max = forms.DecimalField(required=False, min_value=0, label="ARR to")
    order = forms.ChoiceField(
        required=False,
        choices=[("arr", "Highest ARR"), ("name", "Name"), ("newest", "Newest")],
        label="Sort by",
    )

    def __init__(self, *args, plans=(), **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")  # the add-company form on the page has id_*
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ChoiceField)
        plan.choices = [("", "Any plan"), *((p, p) for p in plans)]


class CompanyForm(StyledForm):
    name = forms.CharField(max_length=200)
    domain = forms.CharField(max_length=253, required=False, help_text="e.g. northwind.com")
    arr = forms.CharField(
        max_length=30, required=False, label="ARR", help_text="Annual recurring revenue."
    )
    plan = forms.CharField(max_length=60, required=False)
    segment = forms.ChoiceField(choices=[("", "—"), *Segment.choices], required=False)
    employees = forms.IntegerField(min_value=0, required=False)
    external_id = forms.CharField(
        max_length=100, required=False, label="External id", help_text="Its id in your CRM."
    )
    owner_email = forms.CharField(
        max_length=254,
        required=False,
        label="Account owner",
        help_text="Email of the member who owns this account.",
    )


class PersonForm(StyledForm):
    name = forms.CharField(max_length=200, required=False)
    email = forms.CharField(max_length=254, required=False)
    title = forms.CharField(max_length=120, required=False)
    company_domain = forms.CharField(
        max_length=253, required=False, label="Company domain", help_text="Links the person."
    )
    external_id = forms.CharField(max_length=100, required=False, label="External id")
