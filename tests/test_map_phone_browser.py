"""The national map in a real browser, on a phone and on a desktop (Playwright)."""
from __future__ import annotations

import os

import pytest

from .browser import *  # noqa: F401,F403  (fixtures browser, live_url)
from .browser import DESKTOP, PHONE, axe_violations, describe, open_page
from .conftest import create_record

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

SCREENSHOTS = os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1"
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "screenshots")


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)  # regional_specific, whole Grand Est
    # Occitanie: OCS GE over the whole region, improved OCS GE on former Languedoc-Roussillon only
    create_record(crige_occitanie, name="ocs-ge-occitanie", title="OCS GE Occitanie",
                  region_code="76", ocs_characteristic="ocs_ge", dimensions=["land_cover"],
                  vintages=[{"year": 2021, "status": "available"},
                            {"year": 2024, "status": "in_production"},
                            {"year": 2027, "status": "planned"}])
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available"}])


def _in_viewport(box: dict, viewport: dict) -> bool:
    return (box["y"] >= -1 and box["x"] >= -1 and box["y"] + box["height"] <= viewport["height"] + 1
            and box["x"] + box["width"] <= viewport["width"] + 1)


def _region(page, code: str):
    return page.locator(f'.ocsregistry-map path[data-region="{code}"]')


def _tap_region(page, code: str) -> None:
    """Click where the region itself is topmost (its box's centre may be a neighbour)."""
    point = page.evaluate("""code => {
        const path = document.querySelector(`.ocsregistry-map path[data-region="${code}"]`);
        path.scrollIntoView({block: "nearest", behavior: "instant"});
        const box = path.getBoundingClientRect();
        for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
            const x = box.left + box.width * i / 20, y = box.top + box.height * j / 20;
            if (document.elementFromPoint(x, y) === path) return {x, y};
        }
        return null;
    }""", code)
    assert point, f"region {code} is nowhere clickable"
    page.mouse.click(point["x"], point["y"])


def test_phone_map_fills_the_first_screen_and_a_tapped_region_shows_its_panel(browser, live_url, registry):
    with open_page(browser, live_url, viewport=PHONE) as visit:
        responses: list = []
        visit.page.on("response", lambda r: responses.append(r))  # bodies are read once the page is drawn
        visit.go("/ocsregistry/map")
        page = visit.page
        page.wait_for_selector(".ocsregistry-map-page.ocsregistry-map-ready", timeout=60000)
        sizes: list[int] = []
        biggest: list[tuple[int, str]] = []
        for response in responses:
            try:
                sizes.append(len(response.body()))
            except Exception:  # redirects and aborted requests have no body
                continue
            biggest.append((sizes[-1], response.url.split("?")[0][-60:]))
        transferred = sum(sizes)
        print(f"\nmap page on a phone: {len(sizes)} responses, {transferred} bytes "
              f"({transferred / 1024:.0f} KiB) of bodies; largest: {sorted(biggest, reverse=True)[:6]}")
        assert not visit.third_party, visit.third_party

        box = page.locator(".ocsregistry-map").bounding_box()
        print(f"map on a phone: top {box['y']:.0f}px, height {box['height']:.0f}px of {PHONE['height']}px")
        assert box["height"] >= 0.6 * PHONE["height"], box
        assert 0 <= box["y"] < PHONE["height"] - 0.6 * PHONE["height"] + 1, box  # wholly on screen
        # the filters are folded behind a button
        toggle = page.locator(".ocsregistry-filters-toggle > summary")
        assert toggle.is_visible() and toggle.inner_text().strip() == "Filtrer"
        assert not page.locator("#f-characteristic").is_visible()
        toggle.click()
        assert page.locator("#f-characteristic").is_visible()
        toggle.click()
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SHOTS, "map-phone.png"))

        _tap_region(page, "76")
        panel = page.locator(".ocsregistry-region-panel")
        page.wait_for_function("document.activeElement && document.activeElement.closest('.ocsregistry-region-panel')")
        # (Bootstrap scrolls smoothly: wait until the scroll ends)
        page.wait_for_function("""() => { const r = document.querySelector('.ocsregistry-region-panel')
            .getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }""", timeout=5000)
        assert _in_viewport(panel.bounding_box(), PHONE), panel.bounding_box()
        text = panel.inner_text()
        assert "Occitanie" in text and "OCS GE Occitanie" in text and "OCSID" in text
        # each vintage says whether it is out, in production or planned
        assert "2021 (Disponible)" in text and "2024 (En production)" in text and "2027 (Prévu)" in text


def test_regions_are_buttons_with_names_and_partial_coverage_is_hatched(browser, live_url, registry):
    with open_page(browser, live_url, viewport=DESKTOP) as visit:
        visit.go("/ocsregistry/map")
        page = visit.page
        page.wait_for_selector(".ocsregistry-map-page.ocsregistry-map-ready")
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SHOTS, "map.png"), full_page=False)
        grand_est, occitanie, bretagne = _region(page, "44"), _region(page, "76"), _region(page, "53")
        assert grand_est.get_attribute("fill") == "#1b7837"  # full coverage: a plain colour
        assert bretagne.get_attribute("fill") == "#ffffff"
        fill = occitanie.get_attribute("fill")
        assert fill.startswith("url(#"), fill  # OCSID covers only Languedoc-Roussillon
        pattern = page.locator(f"pattern#{fill[5:-1]}")
        assert pattern.count() == 1
        assert occitanie.get_attribute("role") == "button"
        label = occitanie.get_attribute("aria-label")
        assert label.startswith("Occitanie") and "OCS GE améliorée" in label and "2 fiches" in label, label
        assert "partiel" in label

        # keyboard: Enter on a focused region opens its panel
        grand_est.focus()
        page.keyboard.press("Enter")
        panel = page.locator(".ocsregistry-region-panel")
        panel.locator("h2").first.wait_for()
        assert panel.locator("h2").inner_text() == "Grand Est"
        assert "OCS GE2 Grand Est" in panel.inner_text()
        assert page.evaluate("document.activeElement.classList.contains('ocsregistry-region-panel')")
        assert "2010 (Disponible)" in panel.inner_text()
        occitanie.focus()
        page.keyboard.press(" ")
        page.wait_for_function(
            "document.querySelector('.ocsregistry-region-panel').textContent.includes('OCSID')")

        # the legend counts regions per category and draws partial coverage hatched
        legend = {li.get_attribute("data-status"): li for li in page.locator(".ocsregistry-legend li").all()}
        assert "1" in legend["regional_specific"].inner_text()
        improved = legend["ocs_ge_improved"].inner_text()
        assert "1" in improved and "partiel" in improved, improved
        assert "16" in legend["nothing"].inner_text()
        assert page.locator(".ocsregistry-legend .ocsregistry-swatch-partial").count() >= 1


@pytest.mark.parametrize("era", ["pre2016", "pre-2016"])
def test_both_spellings_of_the_pre_2016_era(browser, live_url, registry, era):
    with open_page(browser, live_url, viewport=DESKTOP) as visit:
        visit.go(f"/ocsregistry/map?era={era}")
        page = visit.page
        page.wait_for_selector(".ocsregistry-map-page.ocsregistry-map-ready")
        assert page.locator("path[data-region]").count() == 27
        assert _region(page, "91").get_attribute("fill") == "#5aae61"  # OCSID: all of Languedoc-Roussillon
        assert page.locator('input[name=era][value="pre-2016"]').is_checked()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_map_page_has_no_serious_accessibility_violation(browser, live_url, registry, viewport):
    with open_page(browser, live_url, viewport=viewport) as visit:
        visit.go("/ocsregistry/map")
        visit.page.wait_for_selector(".ocsregistry-map-page.ocsregistry-map-ready")
        # CKAN's footer language menu (select2) is built by CKAN's own modules: let them
        # finish (select2 3 on CKAN 2.11 adds #s2id_..., select2 4 on CKAN 2.12 a class)
        visit.page.wait_for_selector(
            "#s2id_field-lang-select, #field-lang-select.select2-hidden-accessible",
            state="attached", timeout=10000)
        visit.page.wait_for_load_state("networkidle")
        violations = axe_violations(visit)
        print(f"\naxe serious/critical on the map ({viewport['width']}px): {len(violations)}")
        assert violations == [], describe(violations)


def test_embed_fits_a_600px_iframe_and_the_page_offers_its_code(browser, live_url, registry):
    with open_page(browser, live_url, viewport={"width": 800, "height": 600}) as visit:
        visit.go("/ocsregistry/map?embed=1")
        page = visit.page
        page.wait_for_selector(".ocsregistry-map-page.ocsregistry-map-ready")
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"\nembed page height in a 600 px frame: {height}px")
        if SCREENSHOTS:
            _tap_region(page, "76")
            page.screenshot(path=os.path.join(SHOTS, "map-embed.png"))
        assert height <= 600
        assert page.locator(".ocsregistry-map").bounding_box()["height"] >= 300
        assert page.locator("header.masthead, footer.site-footer").count() == 0

    with open_page(browser, live_url, viewport=DESKTOP, locale="en-GB") as visit:
        visit.go("/en/ocsregistry/map?vocab_ocsregistry_characteristic=ocs_ge")
        page = visit.page
        assert page.locator(".ocsregistry-filters-toggle > summary").inner_text().startswith("Filters")
        code = page.locator("textarea.ocsregistry-embed-code")
        assert code.get_attribute("readonly") is not None
        value = code.input_value()
        assert value.startswith("<iframe ") and "embed=1" in value and "ocs_ge" in value
        assert 'height="600"' in value and "title=" in value
        copy = page.locator("button.ocsregistry-copy")
        assert copy.inner_text().strip() == "Copy"
        visit.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        copy.click()
        page.wait_for_function("document.querySelector('button.ocsregistry-copy').textContent.trim() != 'Copy'")
        assert page.evaluate("navigator.clipboard.readText()") == value


def test_bad_filters_speak_the_users_words(browser, live_url, registry):
    with open_page(browser, live_url, viewport=DESKTOP) as visit:
        visit.go("/ocsregistry/map?ext_vintage_from=2020&ext_vintage_to=2010&era=1789")
        errors = visit.page.locator(".ocsregistry-filter-errors").inner_text()
        assert "Millésime jusqu'à" in errors and "Régions" in errors, errors
        assert "ext_vintage" not in errors and "era" not in errors.split(), errors
    with open_page(browser, live_url, viewport=DESKTOP, locale="en-GB") as visit:
        visit.go("/en/ocsregistry/map?ext_vintage_to=abc")
        errors = visit.page.locator(".ocsregistry-filter-errors").inner_text()
        assert "Vintage to" in errors and "ext_vintage_to" not in errors, errors


def test_a_finger_tap_on_a_touch_phone_opens_the_region(browser, live_url, registry):
    """A real touch screen (has_touch, is_mobile): the tap goes through Leaflet's touch handling."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live_url + "/ocsregistry/map", wait_until="networkidle")
        page.wait_for_selector(".ocsregistry-map-page.ocsregistry-map-ready")
        assert page.evaluate("matchMedia('(pointer: coarse)').matches")
        point = page.evaluate("""() => {
            const path = document.querySelector('.ocsregistry-map path[data-region="44"]');
            const box = path.getBoundingClientRect();
            for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
                const x = box.left + box.width * i / 20, y = box.top + box.height * j / 20;
                if (document.elementFromPoint(x, y) === path) return {x, y};
            }
            return null;
        }""")
        page.touchscreen.tap(point["x"], point["y"])
        panel = page.locator(".ocsregistry-region-panel h2")
        panel.wait_for()
        assert panel.inner_text() == "Grand Est"
        page.wait_for_function("""() => { const r = document.querySelector('.ocsregistry-region-panel')
            .getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }""", timeout=5000)
    finally:
        context.close()
