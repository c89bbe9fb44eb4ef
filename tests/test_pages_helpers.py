"""Helpers of the public pages: record type names, latest vintage, mini-map."""
import pytest
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import helpers as h

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_latest_vintage_is_the_latest_available_one():
    assert h.ocsregistry_latest_vintage({"vintages": [
        {"year": 2010, "status": "available"}, {"year": 2024, "status": "planned"},
        {"year": "2019", "status": "available"}]}) == 2019
    assert h.ocsregistry_latest_vintage({"vintages": [{"year": 2024, "status": "planned"}]}) is None
    # whatever a search result holds, never an error
    assert h.ocsregistry_latest_vintage({"vintages": ["x", {"year": "abc", "status": "available"},
                                                      None, {"status": "available"}]}) is None
    assert h.ocsregistry_latest_vintage({}) is None and h.ocsregistry_latest_vintage(None) is None


def test_minimap_draws_the_region_among_the_mainland_regions():
    svg = str(h.ocsregistry_region_minimap("44"))
    assert svg.startswith("<svg") and svg.count("<path") == 13
    assert svg.count("ocsregistry-minimap-region") == 1 and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    # the highlighted region is drawn last, above its neighbours
    assert svg.rindex("<path") == svg.index('class="ocsregistry-minimap-region"') - svg[
        :svg.index('class="ocsregistry-minimap-region"')][::-1].index("htap<") - 5
    overseas = str(h.ocsregistry_region_minimap("04"))
    assert overseas.count("<path") == 1
    assert str(h.ocsregistry_region_minimap("99")) == "" and str(h.ocsregistry_region_minimap(None)) == ""
    assert str(h.ocsregistry_region_minimap("<script>")) == ""


def test_region_names_of_a_crige():
    assert h.ocsregistry_region_names(["44", "76"]) == "Grand Est, Occitanie"
    assert h.ocsregistry_region_names('["76"]') == "Occitanie"
    assert h.ocsregistry_region_names("not json [") == ""


@pytest.mark.parametrize("lang, expected", [
    ("fr", ("Fiches OCS", "Ajouter une fiche OCS", "Fiche OCS", "Rechercher des fiches OCS…")),
    ("en", ("OCS records", "Add an OCS record", "OCS record", "Search OCS records...")),
])
def test_the_record_type_is_named_in_the_page_language(app, lang, expected):
    with app.flask_app.test_request_context("/ocs/", environ_base={"CKAN_LANG": lang, "CKAN_LANG_IS_DEFAULT": lang == "fr"}):
        app.flask_app.preprocess_request()
        got = (tk.h.humanize_entity_type("package", "ocs", "breadcrumb"),
               tk.h.humanize_entity_type("package", "ocs", "add link"),
               tk.h.humanize_entity_type("package", "ocs", "some new purpose"),
               tk.h.humanize_entity_type("package", "ocs", "search placeholder"))
        assert got == expected
        # other types keep CKAN's names
        assert tk.h.humanize_entity_type("package", "dataset", "add link") is None


def test_user_pictures_are_local(ckan_config):
    assert tk.config.get("ckan.gravatar_default") == "disabled"
