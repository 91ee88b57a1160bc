"""Forms for releases and dependencies, and the versioned form submission that turns an
edit conflict into a re-shown form (409) instead of an error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.http import HttpRequest

from lodestar.core.errors import Invalid
from lodestar.core.forms import StyledForm, form_status, submit
from lodestar.planning.concurrency import EditConflict, parse_version
from lodestar.planning.roadmap_models import ReleaseKind, ReleaseStatus


class ReleaseForm(StyledForm):
    name = forms.CharField(max_length=120, required=False)
    kind = forms.ChoiceField(
        choices=ReleaseKind.choices,
        initial=ReleaseKind.RELEASE,
        help_text="A release spans work from a start to a target date; a milestone is a date "
        "to meet (its start is optional).",
    )
    product_key = forms.ChoiceField(label="Product")
    # Not required here: the service says why a release needs a team, next to the field.
    team_key = forms.ChoiceField(required=False, label="Team")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.DateField(
        required=False, label="Target date", widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(choices=ReleaseStatus.choices, initial=ReleaseStatus.PLANNED)
    goal = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What this release is for. Markdown: **bold**, lists, links.",
    )
    owner_key = forms.ChoiceField(required=False, label="Owner")

    def __init__(self, *args, products=None, teams=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        if products is None:  # editing: a release's product does not change
            del self.fields["product_key"]
        else:
            self._choices("product_key", products, blank=False)
        self._choices("team_key", teams)
        self._choices("owner_key", owners)

    def _choices(self, name: str, choices, blank: bool = True) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] * blank + list(choices)


class TitleForm(StyledForm):
    """A feature chosen by its title (a datalist suggests titles as one types)."""

    title = forms.CharField(max_length=200, label="Feature title")

    def __init__(self, *args, datalist: str = "feature-titles", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update({"list": datalist, "autocomplete": "off"})


class DependencyForm(TitleForm):
    direction = forms.ChoiceField(
        choices=[("blocked_by", "is blocked by"), ("blocks", "blocks")],
        label="This feature",
        initial="blocked_by",
    )

    field_order = ["direction", "title"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "dependency")  # ids apart from the feature form's
        super().__init__(*args, **kwargs)


class Versioned(NamedTuple):
    ok: bool
    result: Any = None
    conflict: EditConflict | None = None
    status: int = 200


def submit_versioned(
    request: HttpRequest, form: forms.Form, action: Callable[..., Any]
) -> Versioned:
    """`core.forms.submit` for an edit form carrying the hidden `version` it was shown:
    calls `action(version=..., **cleaned_data)`. An EditConflict re-shows the form with the
    person's input and the conflict (status 409): the page lists `conflict.changes` and
    carries the current version, so saving again applies this input over the other one."""
    conflict: EditConflict | None = None

    def run(**data: Any) -> Any:
        nonlocal conflict
        try:
            return action(version=parse_version(request.POST.get("version")), **data)
        except EditConflict as exc:
            conflict = exc
            raise Invalid(exc.message) from None

    done = submit(request, form, run)
    status = 409 if conflict is not None else form_status(form)
    return Versioned(done.ok, done.result, conflict, status)


def versioned_fields(form: forms.Form) -> None:
    """Make an edit form post, beside each value, the value it was shown (hidden
    `initial-<name>` inputs), so a conflict can tell the fields this person changed."""
    for field in form.fields.values():
        field.show_hidden_initial = True


def _as_data(field: forms.Field, value: Any) -> str:
    shown = field.widget.format_value(field.prepare_value(value))
    if isinstance(shown, list):  # a select's
        shown = shown[0] if shown else ""
    return "" if shown is None else str(shown)


def rebase(form: forms.Form, current: dict[str, Any]) -> None:
    """After an edit conflict: the re-shown form takes the saved values (`current`, the
    form's initial values for the object as saved now) for every field this person did not
    change, and keeps their input where they did. Saving it again then applies their changes
    on top of the other person's, losing neither. Needs `versioned_fields`."""
    changed = set(form.changed_data)
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict on POST
    for name, field in form.fields.items():
        now = _as_data(field, current.get(name))
        if name not in changed:
            data[form.add_prefix(name)] = now
        data[form.add_initial_prefix(name)] = now
    form.data = data


def shown_version(request: HttpRequest, done: Versioned, current: int) -> int:
    """The version the re-shown form must carry: the one it was shown, unless there was a
    conflict (then the current one, so the next save is a deliberate overwrite)."""
    if request.method == "POST" and done.conflict is None:
        return parse_version(request.POST.get("version")) or current
    return current
