"""The delivery settings form: thresholds and status-report recipients."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from lodestar.core.forms import StyledForm

MAX_RECIPIENTS = 50


class DeliverySettingsForm(StyledForm):
    on_time_threshold = forms.IntegerField(
        label="On-time threshold (%)",
        min_value=1,
        max_value=99,
        help_text="A release whose chance of finishing by its target falls below this is "
        "flagged at risk, and a schedule risk is proposed. 1 to 99; the default is 70.",
    )
    over_budget_threshold = forms.IntegerField(
        label="Over-budget threshold (%)",
        min_value=0,
        max_value=500,
        help_text="Actual cost beyond plan by more than this raises a draft budget risk. "
        "0 to 500; the default is 10.",
    )
    report_recipients = forms.CharField(
        label="Status report recipients",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Email addresses, one per line, besides the workspace's stakeholders.",
    )

    def clean_report_recipients(self) -> str:
        text = self.cleaned_data.get("report_recipients", "")
        addresses, problems, seen = [], [], set()
        for number, line in enumerate(text.splitlines(), start=1):
            address = line.strip()
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                problems.append(f"Line {number}: {address[:80]!r} is not an email address.")
                continue
            if address.lower() not in seen:
                seen.add(address.lower())
                addresses.append(address)
        if problems:
            raise ValidationError(problems)
        if len(addresses) > MAX_RECIPIENTS:
            raise ValidationError(
                f"{len(addresses)} addresses: at most {MAX_RECIPIENTS} recipients."
            )
        return "\n".join(addresses)
