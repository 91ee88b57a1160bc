import zoneinfo

from django import forms

from lodestar.core.forms import LongSelect, StyledForm
from lodestar.workspaces.models import CURRENCIES, Role

_ZONES = sorted(zoneinfo.available_timezones())


class WorkspaceCreateForm(StyledForm):
    name = forms.CharField(max_length=80, label="Workspace name")
    slug = forms.CharField(
        max_length=40,
        label="Address",
        help_text="Lower-case letters, digits and hyphens; used in links, e.g. acme.",
    )
    currency = forms.ChoiceField(
        choices=[(c, c) for c in CURRENCIES],
        initial="USD",
        help_text="All money in this workspace is in this currency. It cannot change later.",
    )
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in _ZONES],
        widget=LongSelect,
        initial="UTC",
        label="Time zone",
        help_text="Used for dates, release days and analytics' day and week boundaries.",
    )


class WorkspaceSettingsForm(StyledForm):
    name = forms.CharField(max_length=80, label="Workspace name")
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in _ZONES], widget=LongSelect, label="Time zone"
    )


class InviteForm(StyledForm):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)


class RoleForm(StyledForm):
    role = forms.ChoiceField(choices=Role.choices)


class ProductForm(StyledForm):
    key = forms.CharField(
        max_length=20,
        help_text="Short and permanent, used in links and scripts, e.g. web or mobile.",
    )
    name = forms.CharField(max_length=80)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ProductEditForm(StyledForm):
    name = forms.CharField(max_length=80)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    allowed_origins = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        required=False,
        max_length=4000,
        label="Allowed origins for the feedback widget",
        help_text="One per line, like https://app.example.com or http://localhost:3000: "
        "the pages of these sites may post feedback with the write key.",
    )


class ConfirmKeyForm(StyledForm):
    confirm_key = forms.CharField(label="Type the product key to confirm")


class TeamForm(StyledForm):
    name = forms.CharField(max_length=80)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    capacity_points = forms.IntegerField(min_value=0, initial=0, label="Capacity (points per week)")
    cost_per_week = forms.DecimalField(
        min_value=0, max_digits=12, decimal_places=2, initial=0, label="Cost per week"
    )


class TeamMemberForm(StyledForm):
    email = forms.EmailField(
        label="Add a member by email",
        help_text="Anyone who is a member of this workspace.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class TokenForm(StyledForm):
    name = forms.CharField(
        max_length=80, label="Token name", help_text="What will use it, e.g. nightly export."
    )
