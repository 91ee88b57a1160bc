"""Forms of the intake pages: upload .eml files, add an inbound-mail address."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm

MAX_FILES = 50


class _MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe); cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": ".eml,message/rfc822"}))
        kwargs.setdefault("allow_empty_file", True)  # an empty file gets its own result line
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_FILES} files at a time.")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _product_field(products: list[tuple[str, str]], label: str, help_text: str):
    return forms.ChoiceField(
        choices=[("", "No product"), *products], required=False, label=label, help_text=help_text
    )


class EmailUploadForm(StyledForm):
    emails = MultipleFileField(
        label="Email files (.eml)",
        help_text="Save messages from your mail program as .eml (drag them out of the mail "
        "list, or use Save as / Download message). You can choose several at once.",
    )

    def __init__(self, *args, products: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_key"] = _product_field(
            products, "Product", "The product this feedback is about, if one."
        )


class MailboxForm(StyledForm):
    def __init__(self, *args, products: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_key"] = _product_field(
            products, "Product", "Mail to this address becomes feedback about this product."
        )
