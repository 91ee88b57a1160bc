import pytest
from tests.browser.a11y import AXE_SOURCE
from tests.browser.test_accessibility import PAGES, acme  # noqa

@pytest.mark.parametrize("name", list(PAGES))
def test_all(web, acme, name):
    persona, path, status, heading = PAGES[name]
    path = path.format(team=acme.team.key, invite=acme.invite_token, contributor=acme["contributor"].membership.key)
    for vp in ({"width": 1280, "height": 800}, {"width": 390, "height": 800}):
        page = web.page(user=acme[persona].user, viewport=vp)
        page.goto(path)
        page.evaluate(AXE_SOURCE)
        r = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}}).then(r => ({v: r.violations.map(v => [v.id, v.impact, v.nodes.map(n=>n.target)]), i: r.incomplete.map(v => [v.id, v.impact, v.nodes.map(n=>n.target)])}))")
        print("\n", name, vp["width"], r)
