"""Enumerate every URL and its access rule: used by the permission tests and by the
generated table in docs/permissions.md."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def html_routes() -> Iterator[tuple[str, Any]]:
    """(route, view) for every HTML URL; the API is listed by api_routes()."""

    def walk(patterns, prefix: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                route = str(entry.pattern)
                if route.startswith("api/"):
                    continue
                yield from walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    yield from walk(get_resolver().url_patterns, "/")


def api_routes() -> Iterator[tuple[str, str, Any]]:
    """(method, route, handler) for every API operation."""
    from lodestar.api import api

    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, "/api/v1" + path, operation.view_func


def _rule(access: Any, method: str) -> str:
    if access is None:
        return "**none**"
    if access.kind == "public":
        return "anyone"
    if access.kind == "signed_in":
        return "signed in"
    needed = access.read if method == "GET" else access.write
    return f"`{needed}`" if needed else "not allowed"


def routes_markdown() -> str:
    lines = ["| URL | GET | POST |", "|---|---|---|"]
    for route, view in sorted(html_routes()):
        access = getattr(view, "access", None)
        lines.append(f"| `{route}` | {_rule(access, 'GET')} | {_rule(access, 'POST')} |")
    lines += ["", "| API operation | needs |", "|---|---|"]
    for method, route, view in sorted(api_routes(), key=lambda r: (r[1], r[0])):
        lines.append(f"| `{method} {route}` | {_rule(getattr(view, 'access', None), 'GET')} |")
    return "\n".join(lines)
