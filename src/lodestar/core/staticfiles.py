"""Static files that come from installed packages rather than from an app's static folder.

Plotly's Python package ships the plotly.js bundle (DESIGN.md: charts use Plotly, served by us,
no CDN). `PlotlyFinder` makes exactly that one file a static file, `plotly/plotly.min.js`, so
WhiteNoise serves it (compressed, cached) and `collectstatic` copies it, without exposing the
rest of the package's data (datasets, the 5 MB widget bundle)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "plotly/plotly.min.js"


def plotly_js_dir() -> Path:
    """The folder of plotly.min.js inside the installed plotly package (not imported)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise LookupError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=plotly_js_dir())
        self.storage.prefix = "plotly"  # type: ignore[attr-defined]  # read by collectstatic

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not (plotly_js_dir() / "plotly.min.js").is_file():
            return [Error("plotly.min.js is missing from the plotly package.", id="lodestar.E001")]
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        if path != PLOTLY_JS:
            return [] if find_all else None
        found = self.storage.path("plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        yield "plotly.min.js", self.storage
