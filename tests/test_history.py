"""A record's history: one entry per save, and its changes as labelled rows.

``history.changes`` is tested as a pure function of two package dicts and the
schema; then, over HTTP (CKAN's test application), that creating a record
through the API with a token, or through the web form as a logged-in editor
posts it, gives exactly one activity and each update one more, and that the
activity and changes pages read as sentences and labelled values in French
and English, without a restricted value.
"""
from __future__ import annotations

import copy
import re

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from werkzeug.datastructures import MultiDict

from ckanext.ocsregistry import history

from .conftest import record
from .test_confidentiality import PASSWORD, _form_errors, _form_fields, _login

SECRETS = {"amo_price": "987654321", "production_price": "876543219",
           "funders": "fundersecretmarker", "funding_details": "detailsecretmarker"}


def _old_new(**changes):
    old = record(id="x", owner_org="o1", organization={"title": "GéoGrandEst"},
                 vintages=[{"year": 2010, "status": "available", "note": ""},
                           {"year": 2019, "status": "in_production", "note": "tous les départements"}])
    new = copy.deepcopy(old)
    new.update(changes)
    return old, new


def _rows(old, new, lang="fr"):
    return {r["field"]: r for r in history.changes(old, new, lang=lang)}


# --------------------------------------------------------------------------
# history.changes: pure function of two dicts and the schema
# --------------------------------------------------------------------------

@pytest.mark.usefixtures("with_plugins")
class TestChanges:
    def test_nothing_changed_gives_no_row(self):
        old, new = _old_new()
        assert history.changes(old, new, lang="fr") == []

    def test_vintages_as_readable_text_in_both_languages(self):
        old, new = _old_new(vintages=[{"year": 2019, "status": "available", "note": "tous les départements"},
                                      {"year": 2010, "status": "available"}])
        fr = _rows(old, new)["vintages"]
        assert fr["label"] == "Millésimes"
        assert fr["old"] == "2010 Disponible ; 2019 En production (tous les départements)"
        assert fr["new"] == "2010 Disponible ; 2019 Disponible (tous les départements)"
        en = _rows(old, new, "en")["vintages"]
        assert en["label"] == "Vintages"
        assert en["old"] == "2010 Available ; 2019 In production (tous les départements)"

    def test_vintages_stored_as_json_text_are_read_too(self):
        old, new = _old_new()
        new["vintages"] = ('[{"year": 2010, "status": "available"}, '
                           '{"year": 2019, "status": "planned", "note": "tous les départements"}]')
        assert _rows(old, new)["vintages"]["new"] == \
            "2010 Disponible ; 2019 Prévu (tous les départements)"

    def test_empty_note_or_key_order_is_not_a_change(self):
        old, new = _old_new(vintages=[{"note": "", "status": "available", "year": 2010},
                                      {"year": 2019, "status": "in_production",
                                       "note": "tous les départements"}])
        assert history.changes(old, new, lang="fr") == []

    def test_choice_and_list_values_by_their_labels(self):
        old, new = _old_new(info_status="unverified", dimensions=["land_cover"],
                            producers=["CLS"], region_code="76")
        rows = _rows(old, new)
        assert rows["info_status"] == {"field": "info_status", "label": "Fiabilité des informations",
                                       "old": "Confirmée", "new": "À confirmer"}
        assert rows["dimensions"]["old"] == "Couverture du sol, Usage du sol"
        assert rows["dimensions"]["new"] == "Couverture du sol"
        assert rows["producers"] == {"field": "producers", "label": "Prestataire(s) de production",
                                     "old": "CLS, TTI", "new": "CLS"}
        assert rows["region_code"]["new"] == "Occitanie (76)"
        assert "region_name" not in rows and "spatial" not in rows  # derived
        en = _rows(old, new, "en")
        assert (en["info_status"]["label"], en["info_status"]["old"], en["info_status"]["new"]) \
            == ("Reliability of the information", "Confirmed", "To be confirmed")

    def test_rows_follow_the_schema_order(self):
        old, new = _old_new(uses="Autre usage", title="Nouveau titre", vintages=[])
        assert [r["field"] for r in history.changes(old, new, lang="fr")] == \
            ["title", "vintages", "uses"]
        assert _rows(old, new)["vintages"]["new"] == ""

    def test_organisation_and_visibility(self):
        old, new = _old_new(owner_org="o2", organization={"title": "OPenIG"}, private=True)
        old["private"] = False
        rows = _rows(old, new)
        assert (rows["owner_org"]["old"], rows["owner_org"]["new"]) == ("GéoGrandEst", "OPenIG")
        assert (rows["private"]["label"], rows["private"]["old"], rows["private"]["new"]) == \
            ("Visibilité", "Publique", "Privée")

    @pytest.mark.parametrize("visibility", [("restricted", "restricted"), ("public", "restricted"),
                                            ("restricted", "public"), (None, None)])
    def test_restricted_values_never_shown_unless_public_on_both_sides(self, visibility):
        old, new = _old_new(**SECRETS, amo_content="Nouveau contenu")
        old["funding_visibility"], new["funding_visibility"] = visibility
        rows = history.changes(old, new, lang="fr")
        text = repr(rows)
        assert not any(v in text for v in SECRETS.values()), text
        assert "amo_content" in [r["field"] for r in rows]

    def test_restricted_values_of_a_public_record_are_history(self):
        old, new = _old_new(funding_visibility="public", funders="Région, Europe")
        old["funding_visibility"] = "public"
        assert _rows(old, new)["funders"]["new"] == "Région, Europe"


# --------------------------------------------------------------------------
# Over HTTP: one activity per save
# --------------------------------------------------------------------------

def _api(app, action, token, **data):
    response = app.post(f"/api/3/action/{action}", json=data,
                        headers={"Authorization": token} if token else {})
    assert response.json["success"], response.json.get("error")
    return response.json["result"]


def _activities(app, token, name):
    return [a["activity_type"] for a in _api(app, "package_activity_list", token, id=name)]


@pytest.fixture
def crige():
    editor = factories.User(password=PASSWORD)
    member = factories.User(password=PASSWORD)
    org = factories.Organization(
        name="geograndest", title="GéoGrandEst", regions_covered=["44"], image_url="",
        users=[{"name": editor["name"], "capacity": "editor"},
               {"name": member["name"], "capacity": "member"}])
    return {"org": org, "editor": editor, "member": member,
            "token": factories.APIToken(user=editor["name"])["token"]}


def _form_post(client, path, data, phase_fields=True):
    """Post the form at ``path`` as a browser does: every field it shows
    (hidden stage fields included), with ``data`` typed in."""
    page = client.get(path)
    assert page.status_code == 200, path
    shown = _form_fields(page.get_data(as_text=True))
    typed = set(data) | {"vintages"}
    posted = [(k, v) for k, v in shown
              if k not in typed and not k.startswith("vintages-") and k != "save"]
    for key, value in data.items():
        if key == "vintages":
            for i, vintage in enumerate(value):
                posted += [(f"vintages-{i}-{k}", str(v)) for k, v in vintage.items()]
        elif isinstance(value, list):
            posted += [(key, str(v)) for v in value]
        else:
            posted.append((key, str(value)))
    posted.append(("save", ""))
    return client.post(path, data=MultiDict(posted), follow_redirects=False)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestOneEntryPerSave:
    def test_api_create_is_one_entry_and_an_update_one_more(self, app, crige):
        data = record(owner_org=crige["org"]["id"], **SECRETS)
        created = _api(app, "package_create", crige["token"], **data)
        assert _activities(app, crige["token"], created["id"]) == ["new package"]
        _api(app, "package_patch", crige["token"], id=created["id"], info_status="unverified")
        assert _activities(app, crige["token"], created["id"]) == ["changed package", "new package"]
        _api(app, "package_update", crige["token"], **dict(data, id=created["id"], uses="Autre"))
        assert _activities(app, crige["token"], created["id"]) == \
            ["changed package", "changed package", "new package"]

    def test_a_draft_has_no_history_until_it_is_a_record(self, app, crige, sysadmin):
        # only package admins set a state through the API
        token = factories.APIToken(user=sysadmin["name"])["token"]
        data = record(owner_org=crige["org"]["id"], state="draft")
        created = _api(app, "package_create", token, **data)
        assert _api(app, "package_show", crige["token"], id=created["id"])["state"] == "draft"
        _api(app, "package_patch", crige["token"], id=created["id"], uses="Brouillon")
        assert _activities(app, crige["token"], created["id"]) == []
        _api(app, "package_patch", token, id=created["id"], state="active")
        assert _activities(app, crige["token"], created["id"]) == ["new package"]

    def test_web_form_create_is_one_entry_and_an_edit_one_more(self, app, crige):
        client = _login(app, crige["editor"])
        data = record(owner_org=crige["org"]["id"], **SECRETS)
        done = _form_post(client, "/ocs/new", data)
        assert done.status_code == 302, _form_errors(done.get_data(as_text=True))
        if "/resource/new" in done.headers["Location"]:
            # CKAN's staged form: the record is a draft until its resource step
            # is finished, as the editor does with a link to the data
            page = client.get(done.headers["Location"])
            fields = [(k, v) for k, v in _form_fields(page.get_data(as_text=True),
                                                      "resource-edit") if k not in ("save", "url", "name")]
            done = client.post(done.headers["Location"], data=MultiDict(
                fields + [("url", "https://www.geograndest.fr/ocs.gpkg"), ("name", "OCS"),
                          ("save", "go-metadata")]), follow_redirects=False)
            assert done.status_code == 302, _form_errors(done.get_data(as_text=True))
        shown = _api(app, "package_show", crige["token"], id=data["name"])
        assert shown["state"] == "active"
        assert _activities(app, crige["token"], data["name"]) == ["new package"]

        edited = _form_post(client, f"/ocs/edit/{data['name']}",
                            {"info_status": "unverified",
                             "vintages": [{"year": 2019, "status": "available", "note": "relue"}]})
        assert edited.status_code == 302, _form_errors(edited.get_data(as_text=True))
        assert _activities(app, crige["token"], data["name"]) == ["changed package", "new package"]


# --------------------------------------------------------------------------
# Over HTTP: the activity and changes pages
# --------------------------------------------------------------------------

def _text(html):
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find(id="content") or soup
    return " ".join(main.get_text(" ").split())


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestPages:
    @pytest.fixture
    def changed(self, app, crige):
        data = record(owner_org=crige["org"]["id"], title="OCS Grand Est", **SECRETS)
        created = _api(app, "package_create", crige["token"], **data)
        _api(app, "package_patch", crige["token"], id=created["id"], info_status="unverified",
             vintages=[{"year": 2010, "status": "available"},
                       {"year": 2021, "status": "planned", "note": "prévue"}],
             funders="otherfundersecret")
        activities = _api(app, "package_activity_list", crige["token"], id=created["id"])
        return {"name": created["name"], "activity": activities[0]["id"]}

    @pytest.mark.parametrize("reader", [None, "member", "editor"])
    def test_changes_page_lists_labelled_values(self, app, crige, changed, reader):
        client = _login(app, crige[reader]) if reader else app.test_client()
        page = client.get(f"/dataset/changes/{changed['activity']}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        text = _text(html)
        rows = {tr["data-field"]: [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
                for tr in BeautifulSoup(html, "html.parser").select("tr[data-field]")}
        assert rows["info_status"] == ["Fiabilité des informations", "Confirmée", "À confirmer"]
        assert rows["vintages"] == ["Millésimes", "2010 Disponible ; 2019 Disponible "
                                    "(tous les départements)",
                                    "2010 Disponible ; 2021 Prévu (prévue)"]
        assert set(rows) == {"info_status", "vintages"}
        for leak in [*SECRETS.values(), "otherfundersecret", "{'", "[{", "Ocs",
                     "Show metadata diff", "Changed value of field"]:
            assert leak not in text, leak
        assert "otherfundersecret" not in html and SECRETS["funders"] not in html

        english = client.get(f"/en/dataset/changes/{changed['activity']}").get_data(as_text=True)
        english = _text(english)
        assert "Vintages 2010 Available ; 2019 Available (tous les départements) " \
               "2010 Available ; 2021 Planned (prévue)" in english, english
        assert "Reliability of the information Confirmed To be confirmed" in english, english
        assert "Millésimes" not in english and "Confirmée" not in english

    def test_activity_page_reads_as_a_sentence(self, app, crige, changed):
        fr = _text(app.get(f"/dataset/activity/{changed['name']}").body)
        assert re.search(r"a mis à jour la fiche OCS « OCS Grand Est »", fr), fr
        assert re.search(r"a créé la fiche OCS « OCS Grand Est »", fr), fr
        assert "Ocs" not in fr
        en = _text(app.get(f"/en/dataset/activity/{changed['name']}").body)
        assert "updated the OCS record OCS Grand Est" in en, en
        assert "created the OCS record OCS Grand Est" in en, en
        assert "Ocs" not in en
