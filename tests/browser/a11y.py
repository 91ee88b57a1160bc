"""axe-core in the page: the accessibility check every browser test can call."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Page

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
BLOCKING = ("serious", "critical")


def axe_violations(page: Page, impacts=BLOCKING) -> list[dict]:
    """Run axe-core on the page; return its violations of the given impacts.

    page.evaluate runs through the DevTools protocol, which the page's CSP does not govern
    (an inline <script> tag would be refused by `script-src 'self'`)."""
    page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in results if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node['target']} {node['html'][:160]!r}: {summary}")
    return "\n".join(lines)


def duplicate_ids(page: Page) -> list[str]:
    """Ids used twice. axe files these under "incomplete", yet a duplicated id that
    aria-describedby points at hides all but the first element from screen readers."""
    return page.evaluate(
        """() => {
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
        }"""
    )


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {page.url}:\n" + describe_violations(violations)
    duplicated = duplicate_ids(page)
    assert not duplicated, f"ids used more than once on {page.url}: {duplicated}"
