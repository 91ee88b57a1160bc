"""Form helpers: services raise Invalid(fields=...); views put those errors on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from lodestar.core.errors import Invalid


class StyledForm(forms.Form):
    """A form whose inputs describe their errors to screen readers (aria-invalid)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class LongSelect(forms.Select):
    """A <select> for long, flat choice lists (time zones: ~600 options). Django renders every
    option through a template, ~15 ms for this list; this builds the same HTML directly."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = str(value) if value is not None else ""
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) == selected else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class Submission(NamedTuple):
    ok: bool
    result: Any = None


def submit(request: HttpRequest, form: forms.Form, action: Callable[..., Any]) -> Submission:
    """The write half of a form view: on POST with a valid form, call
    `action(**form.cleaned_data)` (a service). A service's Invalid puts its field errors on the
    form, so the page re-renders them next to the fields (status: `form_status(form)`)."""
    if request.method != "POST" or not form.is_valid():
        return Submission(False)
    try:
        return Submission(True, action(**form.cleaned_data))
    except Invalid as exc:
        apply_errors(form, exc)
        return Submission(False)


def form_status(*forms_: forms.Form) -> int:
    """400 when a re-shown form carries errors, else 200."""
    return 400 if any(f.errors for f in forms_) else 200


def apply_errors(form: forms.Form, error: Invalid) -> None:
    """Attach a service's field errors to the form (unknown fields become form errors)."""
    if not error.fields:
        form.add_error(None, error.message)
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    for name in error.fields:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-invalid"] = "true"
