"""The record form and page, as a CRIGE editor and a visitor see them."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _auth(user):
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def test_form_groups_fields_as_the_field_card(app, crige_grand_est):
    body = app.get("/ocs/new", headers=_auth(crige_grand_est["editor"])).body
    soup = BeautifulSoup(body, "html.parser")
    legends = [l.get_text(strip=True) for l in soup.select("details.ocsregistry-section > summary")]
    assert legends == ["Informations essentielles", "Précisions", "Financement",
                       "Services associés", "Gouvernance"]
    assert soup.select_one("select[name=region_code]") is not None
    assert "Occitanie (76)" in body
    # derived fields are not typed in
    assert soup.select_one("[name=region_name]") is None
    assert soup.select_one("[name=spatial]") is None


def test_form_in_english(app, crige_grand_est):
    body = app.get("/en/ocs/new", headers=_auth(crige_grand_est["editor"])).body
    assert "Essential information" in body and "Minimum mapping unit (MMU)" in body


def test_creating_through_the_form(app, crige_grand_est):
    form = {
        "name": "ocs-form", "title": "OCS saisie", "owner_org": crige_grand_est["org"]["id"],
        "region_code": "44", "ocs_characteristic": "ocs_ge", "mmu_m2": "500",
        "vintages__0__year": "2019", "vintages__0__status": "available",
        "funding_visibility": "restricted", "info_status": "confirmed",
        "review_frequency_months": "12", "_ckan_phase": "", "save": "",
    }
    resp = app.post("/ocs/new", data=form, headers=_auth(crige_grand_est["editor"]))
    assert resp.status_code == 200
    pkg = call_action("package_show", id="ocs-form")
    assert pkg["vintages"] == [{"year": 2019, "status": "available"}]
    assert pkg["region_name"] == "Grand Est"


def test_form_errors_name_the_field_and_save_nothing(app, crige_grand_est):
    form = {
        "name": "ocs-bad", "title": "OCS mauvaise", "owner_org": crige_grand_est["org"]["id"],
        "region_code": "44", "ocs_characteristic": "ocs_ge", "mmu_m2": "-5",
        "data_url": "ftp://x", "_ckan_phase": "", "save": "",
    }
    resp = app.post("/ocs/new", data=form, headers=_auth(crige_grand_est["editor"]))
    soup = BeautifulSoup(resp.body, "html.parser")
    summary = soup.select_one(".error-explanation").get_text(" ", strip=True)
    assert "UMC principale (m²)" in summary and "Lien vers les données" in summary
    # messages speak French first
    assert "Doit être un nombre positif ou nul" in resp.body
    assert call_action("package_search", q="name:ocs-bad")["count"] == 0


def test_record_page_sections_and_escaping(app, crige_grand_est):
    pkg = create_record(crige_grand_est, funding_visibility="public",
                        imagery='<script>alert("x")</script>')
    body = app.get(f"/ocs/{pkg['name']}").body
    soup = BeautifulSoup(body, "html.parser")
    titles = [h.get_text(strip=True) for h in soup.select("h3.ocsregistry-section-title")]
    assert titles == ["Informations essentielles", "Précisions", "Financement",
                      "Services associés", "Gouvernance"]
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;" in body
    assert "Grand Est" in body and "2019" in body


def test_review_reminder_is_shown_to_editors_only(app, crige_grand_est):
    pkg = create_record(crige_grand_est, info_updated="2020-01-01")
    editor_body = app.get(f"/ocs/{pkg['name']}", headers=_auth(crige_grand_est["editor"])).body
    assert "ocsregistry-review-due" in editor_body
    assert "ocsregistry-review-due" not in app.get(f"/ocs/{pkg['name']}").body


def test_crige_page_shows_its_schema_fields(app, sysadmin):
    call_action("organization_create", context={"user": sysadmin["name"]}, name="openig",
                title="OPenIG", regions_covered=["76"], website="https://www.openig.org")
    body = app.get("/organization/about/openig").body
    assert "https://www.openig.org" in body and "Régions couvertes" in body
