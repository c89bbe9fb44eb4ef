"""The review cycle in a real browser: an editor sees since when a record is
due, marks it re-read with one click, and the CRIGE's review page lists its
records by due date; no serious or critical accessibility fault."""
from __future__ import annotations

import os

import pytest
from ckan.tests import factories

from .browser import *  # noqa: F401,F403  (fixtures browser, live_url)
from .browser import DESKTOP, ROOT, axe_violations, describe, log_in, open_page
from .conftest import create_record

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

PASSWORD = "Correct-horse-123"


def _shot(visit, name: str) -> None:
    if os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1":
        folder = os.path.join(ROOT, "docs", "screenshots")
        os.makedirs(folder, exist_ok=True)
        visit.page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_an_editor_marks_a_due_record_as_re_read(browser, live_url):
    editor = factories.User(password=PASSWORD, image_url="", about="")
    org = factories.Organization(name="geograndest", title="GéoGrandEst", regions_covered=["44"],
                                 image_url="", description="",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    crige = {"org": org, "editor": editor}
    create_record(crige, name="ocs-ge-2010", title="OCS GE 2010", info_updated="2020-01-15")
    create_record(crige, name="ocs-ge-2019", title="OCS GE 2019", info_updated="2023-06-30",
                  review_frequency_months="6")

    with open_page(browser, live_url, DESKTOP) as visit:
        visit.go("/organization/geograndest/review")
        rows = visit.page.locator(".ocsregistry-review-table tbody tr")
        assert rows.count() == 2
        assert "OCS GE 2010" in rows.nth(0).inner_text()
        assert axe_violations(visit) == [], describe(axe_violations(visit))
        _shot(visit, "crige-review.png")

        log_in(visit, editor["name"], PASSWORD)
        visit.go("/ocs/ocs-ge-2010")
        status = visit.page.locator(".ocsregistry-review-status")
        assert status.inner_text().strip() == "À relire depuis le 15 janvier 2021"
        violations = axe_violations(visit)
        assert violations == [], describe(violations)
        visit.page.click("form.ocsregistry-reread button[type=submit]")
        visit.page.wait_for_load_state("networkidle")
        assert visit.page.url.endswith("/ocs/ocs-ge-2010")
        assert "Prochaine relecture le" in status.inner_text()
        _shot(visit, "record-reread.png")

        visit.go("/organization/geograndest/review")
        first = visit.page.locator(".ocsregistry-review-table tbody tr").nth(0)
        assert "OCS GE 2019" in first.inner_text()  # the re-read record is no longer first
        assert visit.third_party == []
