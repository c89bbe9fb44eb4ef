"""The registry home, and the map's region names, in a real browser (Chromium),
on a desktop and a phone, in French and English, with the demonstration registry."""
from __future__ import annotations

import gzip
import os

import pytest

from ckanext.ocsregistry import demo

from .browser import DESKTOP, PHONE, axe_violations, describe, open_page

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

SCREENSHOTS = os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1"
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "screenshots")
BUDGET_GZIP_BYTES = 150 * 1024  # the home on a phone: issue #14


@pytest.fixture
def demo_registry():
    report = demo.load()
    assert report["datasets"] > 10
    return report


@pytest.mark.parametrize("viewport,locale,prefix,shot", [
    (DESKTOP, "fr-FR", "", "home.png"),
    (PHONE, "fr-FR", "", "home-phone.png"),
    (DESKTOP, "en-GB", "/en", "home-en.png"),
    (PHONE, "en-GB", "/en", None),
])
def test_home_in_a_browser(browser, live_url, demo_registry, viewport, locale, prefix, shot):
    with open_page(browser, live_url, viewport=viewport, locale=locale) as visit:
        bodies: list[bytes] = []
        visit.page.on("response", lambda r: bodies.append(r.body()) if r.ok else None)
        visit.go(prefix + "/ocsregistry/")
        page = visit.page
        assert visit.third_party == []
        cards = page.locator("li.ocsregistry-indicator")
        assert cards.count() == 6
        covered = int(page.locator('[data-indicator="covered"] .ocsregistry-indicator-value').inner_text())
        assert covered > 0  # real figures from the demonstration registry
        # the map, drawn on the server: every region named
        names = page.locator(".ocsregistry-home-map-svg text").evaluate_all(
            "nodes => nodes.map(n => n.textContent)")
        assert "Occitanie" in names and "Bretagne" in names
        # nothing wider than the screen on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if viewport is PHONE:  # what the home made the phone download, compressed
            weight = sum(len(gzip.compress(b)) for b in bodies)
            assert weight < BUDGET_GZIP_BYTES, weight
            print(f"home on a phone ({locale}): {weight} bytes gzipped, {len(bodies)} responses")
        violations = axe_violations(visit)
        assert violations == [], describe(violations)
        # an indicator leads to its records
        page.locator('[data-indicator="large_scale"] a').click()
        page.wait_for_load_state("networkidle")
        assert "vocab_ocsregistry_trait=large_scale" in page.url
        if shot and SCREENSHOTS:
            visit.go(prefix + "/ocsregistry/")
            page.screenshot(path=os.path.join(SHOTS, shot), full_page=True)


def test_print_layout_hides_the_site_chrome(browser, live_url, demo_registry):
    with open_page(browser, live_url) as visit:
        visit.go("/ocsregistry/")
        visit.page.emulate_media(media="print")
        assert not visit.page.locator(".masthead").first.is_visible()
        assert not visit.page.locator(".ocsregistry-embed-share").is_visible()
        assert visit.page.locator(".ocsregistry-home-map-svg svg").is_visible()


def test_interactive_map_names_the_regions(browser, live_url, demo_registry):
    with open_page(browser, live_url) as visit:
        visit.go("/ocsregistry/map")
        page = visit.page
        page.wait_for_selector(".ocsregistry-map-ready")
        names = page.locator(".ocsregistry-map .ocsregistry-region-name").all_inner_texts()
        assert len(names) == 13 and "Grand Est" in names and "Occitanie" in names
        # a region's panel shows the table's cell (each base is on the page once)
        page.evaluate("""() => document.querySelector('.ocsregistry-map path[data-region="44"]')
                        .dispatchEvent(new MouseEvent('click', {bubbles: true}))""")
        panel = page.locator(".ocsregistry-region-panel")
        panel.locator("h2").wait_for()
        assert panel.locator("h2").inner_text() == "Grand Est"
        cell = page.locator('tr[data-region="44"] .ocsregistry-region-bases').inner_text()
        assert cell.strip() and cell.strip().splitlines()[0] in panel.inner_text()
        if SCREENSHOTS:
            page.locator(".ocsregistry-map-frame").screenshot(path=os.path.join(SHOTS, "map-names.png"))
