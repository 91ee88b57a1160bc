from django import forms

from lodestar.core.forms import StyledForm
from lodestar.feedback.models import MAX_TEXT, Importance, Source, Status


class FeedbackForm(StyledForm):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT,
        label="What did they say?",
        help_text="Their words, as close as you can get.",
    )
    person_email = forms.CharField(
        max_length=254,
        required=False,
        label="Who said it (email)",
        help_text="Added to People if new.",
    )
    company_domain = forms.CharField(max_length=253, required=False, label="Company domain")
    source = forms.ChoiceField(choices=Source.choices, initial=Source.MANUAL)
    product_key = forms.ChoiceField(required=False, label="Product")
    tags = forms.CharField(max_length=400, required=False, help_text="Comma-separated.")

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        product = self.fields["product_key"]
        assert isinstance(product, forms.ChoiceField)
        product.choices = [("", "—"), *products]


class TriageForm(StyledForm):
    status = forms.ChoiceField(choices=Status.choices)
    assignee_email = forms.CharField(
        max_length=254,
        required=False,
        label="Assignee",
        help_text="A member's email; empty: nobody.",
    )
    tags = forms.CharField(max_length=400, required=False, help_text="Comma-separated.")


class InsightForm(StyledForm):
    snippet = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Snippet",
        help_text="Select the words in the feedback above, or paste them; empty: all of it.",
    )
    feature_title = forms.CharField(
        max_length=200,
        label="Feature",
        help_text="An existing feature's title (suggested as you type), or a new one.",
        widget=forms.TextInput(attrs={"list": "feature-titles", "autocomplete": "off"}),
    )
    importance = forms.TypedChoiceField(
        choices=Importance.choices, coerce=int, initial=Importance.IMPORTANT
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "insight-%s")
        super().__init__(*args, **kwargs)


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, required=False)
    q = forms.CharField(
        max_length=100,
        required=False,
        label="Search feedback",
        widget=forms.TextInput(
            attrs={"type": "search", "aria-describedby": "search-help", "data-inbox-search": ""}
        ),
    )
    tag = forms.ChoiceField(required=False, label="Tag")
    who = forms.ChoiceField(
        required=False,
        label="Assigned",
        choices=[("", "Anyone"), ("me", "To me"), ("nobody", "To nobody")],
    )

    def __init__(self, *args, tags=(), **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        tag = self.fields["tag"]
        assert isinstance(tag, forms.ChoiceField)
        tag.choices = [("", "Any tag"), *((t, t) for t in tags)]


class SavedFilterForm(StyledForm):
    """Save the inbox's current filters under a name (the view passes the query string)."""

    name = forms.CharField(
        max_length=60,
        label="Name",
        help_text="For example: Churn risk, unassigned.",
        error_messages={"required": "Name this filter."},
    )
    shared = forms.BooleanField(required=False, label="Share with the workspace")

    def __init__(self, *args, can_share: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "save-filter-%s")
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


class SavedFilterEditForm(StyledForm):
    """Rename one's own filter, or share / unshare it (triagers)."""

    name = forms.CharField(
        max_length=60, label="Name", error_messages={"required": "Name this filter."}
    )
    shared = forms.BooleanField(required=False, label="Shared with the workspace")

    def __init__(self, *args, saved=None, can_share: bool = False, **kwargs):
        assert saved is not None
        self.saved = saved
        kwargs.setdefault("auto_id", f"filter-{saved.key}-%s")
        kwargs.setdefault("initial", {"name": saved.name, "shared": saved.shared})
        super().__init__(*args, **kwargs)
        if not can_share and not saved.shared:
            del self.fields["shared"]  # nothing to change: only triagers share
