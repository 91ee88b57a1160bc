"""Forms of the backlog pages. The services validate again (and own the rules); these give
the browser labelled fields and carry a story's `version` for conflict detection."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import LongSelect, StyledForm
from lodestar.planning.backlog_models import StoryStatus


def _choices(form: forms.Form, name: str, choices, blank: str | None = "—") -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", blank), *choices] if blank is not None else list(choices)


class StoryForm(StyledForm):
    title = forms.CharField(max_length=200)
    feature_key = forms.ChoiceField(label="Feature", widget=LongSelect)
    as_a = forms.CharField(max_length=120, required=False, label="As a …")
    i_want = forms.CharField(
        max_length=500, required=False, label="I want …", widget=forms.Textarea(attrs={"rows": 2})
    )
    so_that = forms.CharField(
        max_length=500,
        required=False,
        label="so that …",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    points = forms.IntegerField(required=False, min_value=0, max_value=1000)
    status = forms.ChoiceField(
        choices=StoryStatus.choices, initial=StoryStatus.TODO, required=False
    )
    owner_key = forms.ChoiceField(required=False, label="Owner")
    iteration_key = forms.ChoiceField(required=False, label="Iteration")
    criteria = forms.CharField(
        required=False,
        label="Acceptance criteria",
        help_text="One per line. You can tick, edit and add criteria on the story's page.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, features=(), owners=(), iterations=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "feature_key", features, blank="Choose a feature")
        _choices(self, "owner_key", owners)
        _choices(self, "iteration_key", iterations, blank="Not planned")
        if editing:
            del self.fields["criteria"]  # edited one by one on the story page
        else:
            del self.fields["version"]


class CriterionForm(StyledForm):
    text = forms.CharField(max_length=500, label="New criterion")


class IterationForm(StyledForm):
    team_key = forms.ChoiceField(label="Team")
    name = forms.CharField(max_length=80, help_text="For example Sprint 14.")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The next iteration of the team may start on this day.",
    )

    def __init__(self, *args, teams=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["team_key"]
        else:
            _choices(self, "team_key", teams, blank="Choose a team")
