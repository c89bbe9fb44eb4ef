"""Public catalogue search of registry records, through real Solr."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

FACETS = [
    "vocab_ocsregistry_region",
    "vocab_ocsregistry_former_region",
    "vocab_ocsregistry_characteristic",
    "vocab_ocsregistry_vintage",
    "vocab_ocsregistry_dimension",
    "organization",
]


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)
    create_record(crige_occitanie, name="ocs-ge-occitanie", title="OCS GE Occitanie",
                  region_code="76", ocs_characteristic="ocs_ge", dimensions=["land_cover"],
                  vintages=[{"year": 2019, "status": "available"},
                            {"year": 2022, "status": "planned"}])
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available"}])


def _search(**params):
    params.setdefault("facet.field", FACETS)
    return call_action("package_search", context={"user": ""}, **params)


def _facet(result, name):
    return {i["name"]: (i["count"], i["display_name"]) for i in result["search_facets"][name]["items"]}


def test_facet_counts_over_the_registry(registry):
    result = _search(q="*:*")
    assert result["count"] == 3
    assert _facet(result, "vocab_ocsregistry_region") == {
        "76": (2, "Occitanie"), "44": (1, "Grand Est")}
    assert _facet(result, "vocab_ocsregistry_characteristic") == {
        "regional_specific": (1, "OCS régionale spécifique"),
        "ocs_ge": (1, "OCS GE"),
        "ocs_ge_improved": (1, "OCS GE améliorée")}
    # a record of a whole current region covers all its pre-2016 regions
    assert _facet(result, "vocab_ocsregistry_former_region") == {
        "21": (1, "Champagne-Ardenne"), "41": (1, "Lorraine"), "42": (1, "Alsace"),
        "73": (1, "Midi-Pyrénées"), "91": (2, "Languedoc-Roussillon")}
    assert _facet(result, "vocab_ocsregistry_vintage") == {
        "2010": (1, "2010"), "2019": (2, "2019"), "2022": (1, "2022"), "2012": (1, "2012")}
    assert _facet(result, "vocab_ocsregistry_dimension")["land_cover"][0] == 3
    assert _facet(result, "vocab_ocsregistry_dimension")["land_use"] == (2, "Usage du sol")
    assert _facet(result, "organization") == {"openig": (2, "OPenIG"), "geograndest": (1, "GéoGrandEst")}


def test_filter_by_region_and_characteristic(registry):
    result = _search(fq='vocab_ocsregistry_region:"76" AND vocab_ocsregistry_characteristic:"ocs_ge"')
    assert [r["name"] for r in result["results"]] == ["ocs-ge-occitanie"]
    result = _search(fq='vocab_ocsregistry_former_region:"91"')
    assert sorted(r["name"] for r in result["results"]) == ["ocs-ge-occitanie", "ocsid"]


def test_vintage_range(registry):
    result = _search(fq="vocab_ocsregistry_vintage:[2015 TO 2020]")
    assert sorted(r["name"] for r in result["results"]) == ["ocs-ge-occitanie", "ocs-ge2-grand-est"]


def test_free_text_reaches_region_names_and_detail_fields(registry):
    assert [r["name"] for r in _search(q="Languedoc")["results"]] == ["ocsid"]
    assert _search(q="cormorandrin")["count"] == 3  # quality control text
    assert _search(q="imperméabilisation")["count"] == 3  # level details


def test_spatial_bbox_search(registry):
    # a box around Strasbourg finds Grand Est only
    result = _search(ext_bbox="7.5,48.4,7.9,48.7")
    assert [r["name"] for r in result["results"]] == ["ocs-ge2-grand-est"]
    # a box around Toulouse (Midi-Pyrénées) misses OCSID, which covers Languedoc-Roussillon
    result = _search(ext_bbox="1.3,43.5,1.5,43.7")
    assert [r["name"] for r in result["results"]] == ["ocs-ge-occitanie"]


def test_search_page_shows_french_facets(app, registry):
    soup = BeautifulSoup(app.get("/ocs/").body, "html.parser")
    titles = [" ".join(h.get_text().split()) for h in soup.select("h2.module-heading")]
    expected = ["Région", "Région avant 2016", "Caractéristique de l'OCS", "Millésimes",
                "Dimensions", "Couverture", "CRIGE"]
    assert "Région" in titles, titles
    start = titles.index("Région")
    assert titles[start:start + len(expected)] == expected, titles
    labels = [" ".join(a.get_text().split()).rsplit(" ", 1)[0]
              for a in soup.select("nav li a span.item-label")]
    assert "Languedoc-Roussillon" in labels
    # the traits, labelled (CKAN shortens long facet labels)
    assert any(" ".join(a.get_text().split()).startswith("Grande échelle")
               for a in soup.select("nav li a span.item-label")), labels
    body = app.get("/ocs/", query_string={"vocab_ocsregistry_region": "44"}).body
    assert "OCS GE2 Grand Est" in body and "OCSID" not in body


def test_dataset_page_lists_registry_records(app, registry):
    body = app.get("/dataset/").body
    assert "OCS GE Occitanie" in body and "OCSID" in body
