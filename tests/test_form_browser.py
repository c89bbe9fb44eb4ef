"""The record form in a real browser (Playwright driving Debian's Chromium):
a CRIGE editor creates a record in one step, meets errors at their fields and
in the summary, corrects them and finds the record on the map and in the export."""
from __future__ import annotations

import csv
import io
import json
import os
import urllib.request
from urllib.parse import urlsplit

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .browser import *  # noqa: F401,F403

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

PASSWORD = "Ocs-Form-Editor-2024"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def editor(crige_grand_est):
    """A member 'editor' of GéoGrandEst (covers Grand Est only), with a password."""
    user = factories.User(password=PASSWORD)
    call_action("organization_member_create", id=crige_grand_est["org"]["id"],
                username=user["name"], role="editor")
    return user


def _open_section(page, field_id: str) -> None:
    """Open the <details> section holding a field, as an editor clicks its title."""
    page.eval_on_selector(f"#{field_id}", "el => { el.closest('details').open = true; }")


def _error_at_field(page, field_id: str) -> str:
    """The message shown next to a field in error, checked to be linked to it."""
    control = page.locator(f"#{field_id}")
    assert control.get_attribute("aria-invalid") == "true", field_id
    described = (control.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-error" in described, (field_id, described)
    message = page.locator(f"#{field_id}-error")
    assert message.is_visible(), field_id
    # the message sits in the field's own group, next to the input
    assert page.eval_on_selector(
        f"#{field_id}", "(el) => el.closest('.form-group').contains(document.getElementById(el.id + '-error'))")
    return message.inner_text().strip()


def _contrast(page, selector: str) -> float:
    """WCAG contrast ratio of an element's text on its background."""
    return page.eval_on_selector(selector, """(el) => {
      const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = (c) => { const v = rgb(c).map(x => { x /= 255;
        return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
      const s = getComputedStyle(el);
      const a = lum(s.color), b = lum(s.backgroundColor);
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""")


def _get(url: str, headers: dict | None = None) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60) as response:
        return response.read()


def test_editor_creates_a_record_in_one_step(browser, live_url, crige_grand_est, editor):
    with open_page(browser, live_url) as visit:
        page = visit.page
        log_in(visit, editor["name"], PASSWORD)
        visit.go("/ocs/new")

        # no CKAN "Add data" stage, registry help in the sidebar
        assert page.locator("ol.stages").count() == 0
        sidebar = page.locator(".ocsregistry-form-help").inner_text()
        assert "carte nationale" in sidebar and "licence" not in sidebar.lower()
        # sections: a list of links at the top, essentials open, the others closed
        nav = [a.inner_text().strip() for a in page.locator(".ocsregistry-form-nav a").all()]
        assert nav == ["Informations essentielles", "Précisions", "Financement",
                       "Services associés", "Gouvernance"]
        opened = page.eval_on_selector_all("details.ocsregistry-section", "ds => ds.map(d => d.open)")
        assert opened == [True, False, False, False, False]
        # every field says what to type: help text tied to the field
        assert page.locator("[id^=field-][id$=-help]").count() >= 40
        assert "field-mmu_m2-help" in page.get_attribute("#field-mmu_m2", "aria-describedby")
        # nothing chosen for the editor, but the CRIGE's only region
        assert page.input_value("#field-region_code") == "44"
        assert page.input_value("#field-ocs_characteristic") == ""
        assert page.input_value("#field-info_status") == ""
        assert page.locator("#field-ocs_characteristic option").first.inner_text().strip() == "— Choisir —"
        assert page.input_value("#field-private") == "False"
        # former regions: checkboxes, only Grand Est's
        shown = page.eval_on_selector_all(
            ".ocsregistry-former-regions [data-current-region]:not([hidden]) input", "els => els.map(e => e.value)")
        assert sorted(shown) == ["21", "41", "42"]
        page.select_option("#field-region_code", "76")
        shown = page.eval_on_selector_all(
            ".ocsregistry-former-regions [data-current-region]:not([hidden]) input", "els => els.map(e => e.value)")
        assert sorted(shown) == ["73", "91"]
        page.select_option("#field-region_code", "44")
        # prices sit with the visibility setting, marked as reserved
        funding = page.locator("#ocsregistry-section-3")
        for name in ("funding_visibility", "amo_price", "production_price", "funders", "funding_details"):
            assert funding.locator(f"[name={name}]").count() == 1, name
        for name in ("amo_price", "production_price", "funders", "funding_details"):
            mark = page.locator(f"#field-{name}-restricted")
            assert "réservé aux membres du CRIGE" in mark.text_content()
            assert f"field-{name}-restricted" in page.get_attribute(f"#field-{name}", "aria-describedby")
        # numbers are typed as text, the French way
        assert page.get_attribute("#field-amo_price", "type") == "text"
        assert page.get_attribute("#field-amo_price", "inputmode") == "decimal"

        print("page height at desktop, sections closed:", page.evaluate("document.documentElement.scrollHeight"))
        before = axe_violations(visit)
        print("axe /ocs/new serious+critical:", len(before))
        assert before == [], describe(before)

        # bad values: no title, a price with letters, a javascript: link
        page.select_option("#field-ocs_characteristic", "ocs_ge")
        page.fill("#field-vintages-0-year", "2021")
        page.select_option("#field-vintages-0-status", "available")
        page.fill("#field-data_url", "javascript:x")
        _open_section(page, "field-amo_price")
        page.fill("#field-amo_price", "12abc")
        page.fill("#field-production_price", "1 200 000,50")
        page.click("#dataset-edit button[name=save]")
        page.wait_for_load_state("networkidle")

        assert call_action("package_search", q="*:*", include_private=True)["count"] == 0
        assert "Doit être un nombre" in _error_at_field(page, "field-amo_price")
        assert "http" in _error_at_field(page, "field-data_url")
        assert "manquant" in _error_at_field(page, "field-title").lower()
        # typed values come back as typed, not changed
        assert page.input_value("#field-amo_price") == "12abc"
        assert page.input_value("#field-production_price") == "1 200 000,50"
        # a section with an error is open; the count shows in the list
        assert page.eval_on_selector("#ocsregistry-section-3", "d => d.open")
        assert "erreur" in page.locator(".ocsregistry-form-nav li").nth(2).inner_text()
        summary = page.locator("#ocsregistry-error-summary")
        for field_id, label in (("field-title", "Nom de la base"), ("field-amo_price", "Prix de l'AMO"),
                                ("field-data_url", "Lien vers les données")):
            link = summary.locator(f"a[href='#{field_id}']")
            assert link.count() == 1 and label in link.inner_text(), field_id
        assert _contrast(page, "#field-amo_price-error") >= 4.5
        # the summary's link takes the editor to the field, even in a closed section
        page.eval_on_selector("#ocsregistry-section-3", "d => { d.open = false; }")
        summary.locator("a[href='#field-amo_price']").click()
        assert page.evaluate("document.activeElement.id") == "field-amo_price"
        assert page.eval_on_selector("#ocsregistry-section-3", "d => d.open")

        with_errors = axe_violations(visit)
        print("axe /ocs/new with errors serious+critical:", len(with_errors))
        assert with_errors == [], describe(with_errors)
        if os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1":
            os.makedirs(os.path.join(ROOT, "docs", "screenshots"), exist_ok=True)
            page.locator("#ocsregistry-error-summary").scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(ROOT, "docs", "screenshots", "form.png"))

        # corrected, saved once
        page.fill("#field-title", "OCS GE2 Grand Est saisie")
        page.eval_on_selector("#field-name", "el => { el.value = 'ocs-ge2-saisie'; }")
        page.fill("#field-amo_price", "45 000")
        page.fill("#field-data_url", "https://www.geograndest.fr/ocs")
        page.click("#dataset-edit button[name=save]")
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == "/ocs/ocs-ge2-saisie", page.url

        # editing: the same sections, the values as stored, saved in place
        visit.go("/ocs/edit/ocs-ge2-saisie")
        # one save button, the form's default (no CKAN 2.12 "Unpublish": back to a draft)
        assert page.locator("#dataset-edit [type=submit]").count() == 1
        assert page.locator("#dataset-edit button[name=save]").get_attribute("value") is None
        assert page.input_value("#field-production_price") == "1200000.5"
        assert page.input_value("#field-region_code") == "44"
        page.fill("#field-title", "OCS GE2 Grand Est saisie")
        page.fill("#field-imagery", "orthophotographies IGN 2021")
        page.click("#dataset-edit button[name=save]")
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == "/ocs/ocs-ge2-saisie", page.url

    # as the API answers the editor (restricted values are shown to the CRIGE's members)
    token = factories.APIToken(user=editor["name"])["token"]
    pkg = json.loads(_get(live_url + "/api/3/action/package_show?id=ocs-ge2-saisie",
                          {"Authorization": token}))["result"]
    assert pkg["state"] == "active" and pkg["private"] is False
    assert pkg["production_price"] == 1200000.5 and pkg["amo_price"] == 45000
    assert pkg["data_url"] == "https://www.geograndest.fr/ocs"
    assert pkg["region_code"] == "44" and pkg["num_resources"] == 0
    assert pkg["imagery"] == "orthophotographies IGN 2021"

    map_data = json.loads(_get(live_url + "/api/3/action/ocsregistry_map_data"))["result"]
    assert "ocs-ge2-saisie" in json.dumps(map_data)
    rows = list(csv.reader(io.StringIO(_get(live_url + "/ocsregistry/export.csv").decode("utf-8-sig")), delimiter=";"))
    assert any("OCS GE2 Grand Est saisie" in row for row in rows[1:]), rows[:3]


def test_form_fits_a_phone(browser, live_url, crige_grand_est, editor):
    with open_page(browser, live_url, viewport=PHONE) as visit:
        page = visit.page
        log_in(visit, editor["name"], PASSWORD)
        visit.go("/ocs/new")
        page.eval_on_selector_all("details.ocsregistry-section", "ds => ds.forEach(d => { d.open = true; })")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        # the save button and the first fields are reachable
        assert page.locator("#dataset-edit button[name=save]").is_visible()
        box = page.locator("#field-title").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
