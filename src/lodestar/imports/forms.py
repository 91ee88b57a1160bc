"""The web import's two forms: upload a file, then map its columns and import."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.imports.kinds import ImportKind
from lodestar.imports.reader import DELIMITERS, Table

DELIMITER_CHOICES = [
    ("", "Detect"),
    ("comma", "Comma ( , )"),
    ("semicolon", "Semicolon ( ; )"),
    ("tab", "Tab"),
    ("pipe", "Pipe ( | )"),
]


class UploadForm(StyledForm):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with a header row; comma, semicolon, tab or pipe between values.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv"}),
    )
    delimiter = forms.ChoiceField(choices=DELIMITER_CHOICES, required=False)

    def __init__(self, *args, kinds: dict[str, ImportKind], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(name, k.label) for name, k in kinds.items()]


class MappingForm(StyledForm):
    """One select per column of the file (`column_0`, `column_1`, ...), the delimiter, and the
    choice between checking again and importing."""

    delimiter = forms.ChoiceField(
        choices=DELIMITER_CHOICES[1:],
        required=False,
        help_text="Change it if the columns above look wrong, then check again.",
    )
    skip_invalid = forms.BooleanField(
        required=False, label="Skip rows with problems and import the others"
    )
    action = forms.ChoiceField(choices=[("check", "Check again"), ("import", "Import")])

    def __init__(self, *args, kind: ImportKind, table: Table, mapping: list[str], **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"]["delimiter"] = DELIMITERS[table.delimiter]
        super().__init__(*args, **kwargs)
        choices = [("", "Ignore this column"), *((f.name, f.label) for f in kind.fields)]
        self.columns = []
        for index, name in enumerate(mapping):
            key = f"column_{index}"
            self.fields[key] = forms.ChoiceField(
                choices=choices, required=False, initial=name, label=table.column_name(index)
            )
            self.columns.append(self[key])

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{i}"] for i in range(len(self.columns))]
