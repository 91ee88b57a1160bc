"""Forms of the risk register: a risk, an action of its mitigation plan, the issue a risk
becomes when it occurs (or one logged directly), an issue's resolution.

The services check everything again (the API and other callers go straight to them); the
forms give the browser the choices and the first, field-by-field errors."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.delivery.models import MAX_TEXT, RiskCategory, RiskStatus
from lodestar.delivery.risk_selectors import IMPACT_LABELS, LIKELIHOOD_LABELS

DATE = forms.DateInput(attrs={"type": "date"})
SEVERITY_LABELS = {1: "Minor", 2: "Limited", 3: "Significant", 4: "Serious", 5: "Critical"}


def _rating(label: str, labels: dict[int, str], help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[(n, f"{n} — {text.lower()}") for n, text in labels.items()],
        help_text=help_text,
        error_messages={
            "invalid_choice": f"{label} runs from 1 ({labels[1].lower()}) to 5 "
            f"({labels[5].lower()}); %(value)s is not on the scale.",
            "required": f"Choose the {label.lower()}, 1 to 5.",
        },
    )


def _markdown(label: str, rows: int = 4, help_text: str = "Markdown: **bold**, lists, links."):
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _set_choices(form: forms.Form, name: str, choices, blank: bool = False) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", "—")] * blank + list(choices)


class RiskForm(StyledForm):
    title = forms.CharField(max_length=200)
    description = _markdown("Description", help_text="What could happen, and why. Markdown.")
    category = forms.ChoiceField(choices=RiskCategory.choices)
    likelihood = _rating("Likelihood", LIKELIHOOD_LABELS, "How likely it is to happen.")
    impact = _rating("Impact", IMPACT_LABELS, "How bad it would be if it did.")
    owner_key = forms.ChoiceField(required=False, label="Owner")
    mitigation = _markdown(
        "Mitigation plan",
        help_text="How the risk is made less likely or less bad. Its steps, with owners and "
        "due dates, are the actions on the risk's page. Markdown.",
    )
    contingency = _markdown("Contingency", 3, "What we do if it happens anyway. Markdown.")
    status = forms.ChoiceField(required=False)
    review_on = forms.DateField(
        required=False,
        label="Review date",
        widget=DATE,
        help_text="The owner gets a reminder email on this day.",
    )
    feature_keys = forms.MultipleChoiceField(
        required=False, label="Features", widget=forms.CheckboxSelectMultiple
    )
    release_keys = forms.MultipleChoiceField(
        required=False, label="Releases", widget=forms.CheckboxSelectMultiple
    )
    objective_keys = forms.MultipleChoiceField(
        required=False, label="Objectives", widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args,
        owners=(),
        features=(),
        releases=(),
        objectives=(),
        status: str | None = RiskStatus.OPEN,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        _set_choices(self, "owner_key", owners, blank=True)
        _set_choices(self, "feature_keys", features)
        _set_choices(self, "release_keys", releases)
        _set_choices(self, "objective_keys", objectives)
        for name, choices in (
            ("feature_keys", features),
            ("release_keys", releases),
            ("objective_keys", objectives),
        ):
            if not choices:  # nothing to link: no empty fieldset
                del self.fields[name]
        if status in (None, RiskStatus.PROPOSED, RiskStatus.DISMISSED):
            del self.fields["status"]  # a proposal's status: accept or dismiss it
        else:
            statuses = [RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.CLOSED]
            labels = {s: str(s.label) for s in RiskStatus}
            choices = [(s.value, labels[s]) for s in statuses]
            if status == RiskStatus.OCCURRED:
                choices.insert(0, (RiskStatus.OCCURRED.value, labels[RiskStatus.OCCURRED]))
            else:  # chosen, it leads to the form that asks what happened
                choices.append((RiskStatus.OCCURRED.value, "Occurred — say what happened…"))
            _set_choices(self, "status", choices)
            self.fields["status"].required = True
            self.fields["status"].initial = status

    def clean(self):
        data = super().clean() or {}
        for name in ("feature_keys", "release_keys", "objective_keys"):
            data.setdefault(name, [])
        return data


class ActionForm(StyledForm):
    title = forms.CharField(max_length=200, label="Action")
    owner_key = forms.ChoiceField(required=False, label="Owner")
    due_on = forms.DateField(required=False, label="Due", widget=DATE)

    def __init__(self, *args, owners=(), **kwargs):
        kwargs.setdefault("prefix", "action")  # ids apart from any other form on the page
        super().__init__(*args, **kwargs)
        _set_choices(self, "owner_key", owners, blank=True)


class OccurredForm(StyledForm):
    """What happened, when a risk occurs (or for an issue logged directly)."""

    title = forms.CharField(max_length=200)
    impact = forms.CharField(
        label="What happened, and its impact",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What it cost: days, money, customers. Markdown.",
        error_messages={"required": "Say what happened and what it cost."},
    )
    severity = _rating("Severity", SEVERITY_LABELS)
    occurred_on = forms.DateField(label="Occurred on", widget=DATE)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner_key"] = forms.ChoiceField(required=False, label="Owner")
            _set_choices(self, "owner_key", owners, blank=True)


class IssueForm(OccurredForm):
    """An issue's page: its facts, and how it was resolved."""

    resolution = _markdown("Resolution", help_text="How it was dealt with. Markdown.")
    resolved_on = forms.DateField(
        required=False,
        label="Resolved on",
        widget=DATE,
        help_text="Set it when the issue is over; leave it empty while it is open.",
    )

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, owners=owners, **kwargs)
        self.order_fields(["title", "impact", "severity", "occurred_on", "owner_key", "resolution"])
