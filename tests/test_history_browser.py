"""A record's history in a real browser: an editor changes a record through the
edit form, then the activity page and the changes page read as labelled
values in French and in English, with no Python structure, no "Ocs" and no
funding or price value, and no serious or critical accessibility fault."""
from __future__ import annotations

import os
import re

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .browser import *  # noqa: F401,F403  (fixtures browser, live_url)
from .browser import DESKTOP, axe_violations, describe, log_in, open_page
from .conftest import record

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

PASSWORD = "Correct-horse-123"
SECRETS = {"amo_price": "918273645", "production_price": "827364519",
           "funders": "fundersbrowsermark", "funding_details": "detailsbrowsermark"}
REPRS = ("{'", "[{", "Ocs", "None")
SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "docs", "screenshots")


def _secret_variants() -> list[str]:
    found = list(SECRETS.values())
    for value in ("918273645", "827364519"):
        grouped = f"{int(value):,}"
        found += [grouped] + [grouped.replace(",", sep) for sep in (" ", "\u00a0", "\u202f", ".")]
    return found


def _visible(visit) -> str:
    return " ".join(visit.page.inner_text("main, #content, body").split())


def _shot(visit, name: str) -> None:
    if os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1":
        os.makedirs(SCREENSHOTS, exist_ok=True)
        visit.page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=True)


def test_an_editors_change_reads_as_labelled_values(browser, live_url):
    editor = factories.User(password=PASSWORD, image_url="")
    org = factories.Organization(name="geograndest", title="GéoGrandEst", regions_covered=["44"],
                                 image_url="", users=[{"name": editor["name"], "capacity": "editor"}])
    created = call_action("package_create", context={"user": editor["name"], "ignore_auth": False},
                          **record(owner_org=org["id"], title="OCS GE2 Grand Est", **SECRETS))

    with open_page(browser, live_url, DESKTOP) as visit:
        log_in(visit, editor["name"], PASSWORD)
        visit.go(f"/ocs/edit/{created['name']}")
        page = visit.page
        page.select_option("select[name=info_status]", "partial")
        page.select_option("select[name='vintages-1-status']", "in_production")
        page.fill("input[name='vintages-1-note']", "livraison 2025")
        page.click("form#dataset-edit button[name=save]")
        page.wait_for_load_state("networkidle")
        assert f"/ocs/{created['name']}" in page.url, _visible(visit)[:1500]

        # the activity page: one sentence per save
        visit.go(f"/dataset/activity/{created['name']}")
        stream = _visible(visit)
        assert "a mis à jour la fiche OCS « OCS GE2 Grand Est »" in stream, stream[:2000]
        assert "a créé la fiche OCS « OCS GE2 Grand Est »" in stream, stream[:2000]
        assert len(page.query_selector_all("li.item.changed-package")) == 1
        assert len(page.query_selector_all("li.item.new-package")) == 1
        activity_faults = axe_violations(visit)
        assert activity_faults == [], describe(activity_faults)
        _shot(visit, "history_activity_fr.png")

        page.click("li.item.changed-package a[href*='/dataset/changes/']")
        page.wait_for_load_state("networkidle")
        changes_path = page.url[len(live_url):]
        fr = _visible(visit)
        rows = {r.get_attribute("data-field"): [c.inner_text().strip() for c in
                                                r.query_selector_all("th, td")]
                for r in page.query_selector_all("tr[data-field]")}
        assert rows == {
            "vintages": ["Millésimes",
                         "2010 Disponible ; 2019 Disponible (tous les départements)",
                         "2010 Disponible ; 2019 En production (livraison 2025)"],
            "info_status": ["Fiabilité des informations", "Confirmée", "Partiellement confirmée"],
        }, rows
        for bad in REPRS + tuple(_secret_variants()):
            assert bad not in fr, (bad, fr[:2000])
        changes_faults = axe_violations(visit)
        assert changes_faults == [], describe(changes_faults)
        # CKAN's user avatars come from gravatar.com unless the site sets
        # ckan.gravatar_default = disabled; nothing else leaves the site
        assert [u for u in visit.third_party if "gravatar.com/" not in u] == []
        _shot(visit, "history_changes_fr.png")

        visit.go("/en" + changes_path)
        en = _visible(visit)
        assert "Vintages" in en and "Reliability of the information" in en, en[:2000]
        assert "2010 Available ; 2019 In production (livraison 2025)" in en
        assert re.search(r"Confirmed\s+Partly confirmed", en), en[:2000]
        assert "Millésimes" not in en and "Confirmée" not in en
        for bad in REPRS + tuple(_secret_variants()):
            assert bad not in en, (bad, en[:2000])
        english_faults = axe_violations(visit)
        assert english_faults == [], describe(english_faults)

        visit.go(f"/en/dataset/activity/{created['name']}")
        assert "updated the OCS record OCS GE2 Grand Est" in _visible(visit)
