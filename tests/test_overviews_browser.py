"""The vintage timeline and the comparison in a real browser (Playwright, Debian's
Chromium): desktop and phone, French and English, no accessibility violation."""
from __future__ import annotations

import os

import pytest

from .browser import *  # noqa: F401,F403  (fixtures browser, live_url)
from .browser import DESKTOP, PHONE, axe_violations, describe, open_page
# the map browser test's registry: Grand Est, OCS GE Occitanie (available, in
# production, planned) and OCSID on former Languedoc-Roussillon
from .test_map_phone_browser import registry  # noqa: F401

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

SCREENSHOTS = os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1"
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "screenshots")


def _no_sideways_page_scroll(page) -> bool:
    """Wide tables scroll in their own region; the page itself does not."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport,lang", [(DESKTOP, "fr"), (PHONE, "fr"), (DESKTOP, "en"), (PHONE, "en")])
def test_timeline(browser, live_url, registry, viewport, lang):
    prefix = "" if lang == "fr" else "/en"
    with open_page(browser, live_url, viewport=viewport, locale=f"{lang}-FR") as visit:
        visit.go(prefix + "/ocsregistry/timeline")
        page = visit.page
        assert page.locator("table.ocsregistry-timeline-table a.ocsregistry-mark").count() == 6
        assert page.locator("html").get_attribute("lang") == lang
        assert _no_sideways_page_scroll(page)
        violations = axe_violations(visit, impacts=("minor", "moderate", "serious", "critical"))
        assert violations == [], describe(violations)
        # the filters fold open and filter without a script of their own
        page.click(".ocsregistry-filters-toggle summary")
        page.select_option("#f-crige", "openig")
        page.click(".ocsregistry-filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "organization=openig" in page.url
        assert page.locator("a.ocsregistry-mark").count() == 4
        assert visit.third_party == []
        if SCREENSHOTS and lang == "fr":
            name = "timeline.png" if viewport is DESKTOP else "timeline-phone.png"
            visit.go(prefix + "/ocsregistry/timeline")
            page.screenshot(path=os.path.join(SHOTS, name), full_page=viewport is DESKTOP)


@pytest.mark.parametrize("viewport,lang", [(DESKTOP, "fr"), (PHONE, "fr"), (DESKTOP, "en"), (PHONE, "en")])
def test_comparison(browser, live_url, registry, viewport, lang):
    prefix = "" if lang == "fr" else "/en"
    with open_page(browser, live_url, viewport=viewport, locale=f"{lang}-FR") as visit:
        visit.go(prefix + "/ocsregistry/compare")
        page = visit.page
        violations = axe_violations(visit, impacts=("minor", "moderate", "serious", "critical"))
        assert violations == [], describe(violations)
        for name in ("ocs-ge2-grand-est", "ocsid", "ocs-ge-occitanie"):
            page.check(f"#compare-{name}")
        page.click(".ocsregistry-compare-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("table.ocsregistry-compare-table thead th").count() == 3
        share = page.input_value("#ocsregistry-share-url")
        assert share.endswith("/ocsregistry/compare?records=ocs-ge2-grand-est,ocs-ge-occitanie,ocsid")  # the form's order
        assert page.locator("tr.ocsregistry-differ").count() >= 1
        assert _no_sideways_page_scroll(page)
        violations = axe_violations(visit, impacts=("minor", "moderate", "serious", "critical"))
        assert violations == [], describe(violations)
        # the shared address opens the same comparison
        visit.go(share.split(live_url, 1)[1])
        assert page.locator("table.ocsregistry-compare-table thead th").count() == 3
        assert visit.third_party == []
        if SCREENSHOTS and lang == "fr":
            name = "compare.png" if viewport is DESKTOP else "compare-phone.png"
            page.screenshot(path=os.path.join(SHOTS, name), full_page=viewport is DESKTOP)


def test_printed_timeline_has_no_forms(browser, live_url, registry):
    with open_page(browser, live_url) as visit:
        visit.go("/ocsregistry/timeline")
        page = visit.page
        page.emulate_media(media="print")
        assert not page.is_visible(".ocsregistry-filters-toggle")
        assert not page.is_visible(".ocsregistry-embed-share")
        assert not page.is_visible("header")
        assert page.is_visible("table.ocsregistry-timeline-table")
