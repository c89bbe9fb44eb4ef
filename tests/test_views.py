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


def _form_fields(body: str) -> list[tuple[str, str]]:
    """The form's values as a browser without JavaScript would submit them."""
    soup = BeautifulSoup(body, "html.parser")
    form = soup.select_one("form#dataset-edit")
    values = []
    for control in form.select("input[name], select[name], textarea[name]"):
        name, kind = control["name"], control.get("type", "text")
        if "REPEATING-INDEX" in name:
            continue  # ckanext-scheming's template for added vintages, removed by its JS
        if control.name == "select":
            chosen = control.select_one("option[selected]") or control.select_one("option")
            values.append((name, chosen["value"] if chosen else ""))
        elif kind in ("checkbox", "radio"):
            if control.has_attr("checked"):
                values.append((name, control.get("value", "on")))
        elif control.name == "textarea":
            values.append((name, control.get_text()))
        else:
            values.append((name, control.get("value", "")))
    return values


def test_the_form_creates_an_active_public_record_in_one_step(app, crige_grand_est):
    """What the form posts (CKAN's own "_ckan_phase" included) saves the record
    once: active, public, no "Add data" stage, the editor lands on its page."""
    from werkzeug.datastructures import MultiDict

    headers = _auth(crige_grand_est["editor"])
    values = _form_fields(app.get("/ocs/new", headers=headers).body)
    assert [v for k, v in values if k == "_ckan_phase"][0] == ""
    data = MultiDict(values)
    for key, value in {"title": "OCS en une étape", "name": "ocs-une-etape",
                       "ocs_characteristic": "ocs_ge", "vintages-0-year": "2021",
                       "vintages-0-status": "available", "production_price": "1 200 000,50"}.items():
        assert key in data, key
        data[key] = value  # replaces the form's empty value
    resp = app.post("/ocs/new", data=data, headers=headers, follow_redirects=False)
    summary = BeautifulSoup(resp.body, "html.parser").select_one(".error-explanation")
    assert resp.status_code == 302, summary and summary.get_text(" ", strip=True)
    assert resp.headers["Location"].endswith("/ocs/ocs-une-etape")
    pkg = call_action("package_show", id="ocs-une-etape")
    assert pkg["state"] == "active" and pkg["private"] is False
    # the CRIGE's only region was pre-selected, nothing else was chosen for the editor
    assert pkg["region_code"] == "44" and pkg["info_status"] == "unverified"
    assert [(v["year"], v["status"]) for v in pkg["vintages"]] == [(2021, "available")]
    assert call_action("package_search", q="name:ocs-une-etape")["count"] == 1


def test_form_choices_help_and_number_inputs(app, crige_grand_est, crige_occitanie):
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    body = app.get("/ocs/new", headers=_auth(crige_grand_est["editor"])).body
    soup = BeautifulSoup(body, "html.parser")
    # registry wording rather than CKAN's "Create Ocs"
    assert "Nouvelle fiche du registre" in soup.title.get_text() and "Create Ocs" not in body
    assert soup.select_one("button[name=save]").get_text(strip=True) == "Enregistrer la fiche"
    for name in ("ocs_characteristic", "info_status", "vintages-0-status"):
        first = soup.select_one(f"select[name={name}] option")
        assert first["value"] == "" and first.get_text(strip=True) == "— Choisir —", name
        assert [o["value"] for o in soup.select(f"select[name={name}] option[selected]")] in ([], [""]), name
    # every field of the form says what to type, in French and in English
    schema = scheming_get_dataset_schema("ocs")
    for field in schema["dataset_fields"]:
        if field.get("form_snippet", "") is None:
            continue
        assert set(field.get("help_text") or {}) >= {"fr", "en"}, field["field_name"]
        assert soup.select_one(f"#field-{field['field_name']}-help"), field["field_name"]
    # numbers are typed as text: French notation is read, letters refused, never dropped
    for name in ("mmu_m2", "amo_price", "production_price", "class_count", "area_km2"):
        control = soup.select_one(f"input[name={name}]")
        assert control["type"] == "text" and control["inputmode"] in ("decimal", "numeric"), name
    # former regions are checkboxes, each tied to its current region
    boxes = soup.select("input[type=checkbox][name=former_region_codes]")
    assert len(boxes) == 16  # the pre-2016 regions merged in 2016
    alsace = soup.select_one("#field-former_region_codes-42").find_parent(attrs={"data-current-region": True})
    assert alsace["data-current-region"] == "44"
    # restricted fields carry the lock and the words
    for name in ("amo_price", "production_price", "funders", "funding_details"):
        mark = soup.select_one(f"#field-{name}-restricted")
        assert mark.select_one(".fa-lock") and "réservé aux membres du CRIGE" in mark.get_text()
    # an editor of two CRIGEs gets no region pre-selected
    both = factories.User()
    for crige in (crige_grand_est, crige_occitanie):
        call_action("organization_member_create", id=crige["org"]["id"], username=both["name"],
                    role="editor")
    soup = BeautifulSoup(app.get("/ocs/new", headers=_auth(both)).body, "html.parser")
    assert [o["value"] for o in soup.select("select[name=region_code] option[selected]")] in ([], [""])
    assert soup.select_one("select[name=owner_org] option")["value"] == ""
