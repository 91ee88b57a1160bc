"""Form helpers: services raise Invalid(fields=...); views put those errors on the form."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
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
