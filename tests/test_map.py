"""The national map: its data action and its page."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)  # regional_specific, 2010 + 2019, both dimensions
    create_record(crige_occitanie, name="ocs-ge-occitanie", title="OCS GE Occitanie",
                  region_code="76", ocs_characteristic="ocs_ge", dimensions=["land_cover"],
                  vintages=[{"year": 2019, "status": "available"}])
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available"}])


def _map(**params):
    return call_action("ocsregistry_map_data", context={"user": "", "ignore_auth": False}, **params)


def _by_code(data):
    return {r["code"]: r for r in data["regions"]}


def test_current_regions_take_their_most_specific_base(registry):
    data = _map()
    regions = _by_code(data)
    assert data["era"] == "2016" and data["count"] == 3 and len(regions) == 18
    assert regions["44"]["status"] == "regional_specific"
    assert regions["76"]["status"] == "ocs_ge_improved"
    assert [b["name"] for b in regions["76"]["bases"]] == ["ocs-ge-occitanie", "ocsid"]
    assert regions["53"]["status"] == "nothing" and regions["53"]["bases"] == []
    base = regions["44"]["bases"][0]
    assert base["vintages"] == [2010, 2019]
    assert base["organization"] == {"name": "geograndest", "title": "GéoGrandEst"}
    assert base["viewer_url"] == "https://ocs.geograndest.fr/explore"
    assert base["url"].endswith("/ocs/ocs-ge2-grand-est")
    assert regions["44"]["status_label"] == "OCS régionale spécifique"


def test_pre_2016_regions(registry):
    regions = _by_code(_map(era="pre-2016"))
    assert len(regions) == 27 and "76" not in regions
    assert regions["91"]["status"] == "ocs_ge_improved"  # OCSID covers Languedoc-Roussillon
    assert regions["73"]["status"] == "ocs_ge"  # Midi-Pyrénées: OCS GE only
    assert {b["name"] for b in regions["42"]["bases"]} == {"ocs-ge2-grand-est"}
    assert regions["53"]["status"] == "nothing"


@pytest.mark.parametrize("filters,expected", [
    ({"vocab_ocsregistry_characteristic": "ocs_ge"}, {"ocs-ge-occitanie"}),
    ({"ext_vintage_from": 2015, "ext_vintage_to": 2020}, {"ocs-ge-occitanie", "ocs-ge2-grand-est"}),
    ({"ext_vintage_to": 2011}, {"ocs-ge2-grand-est"}),
    ({"vocab_ocsregistry_dimension": "land_use"}, {"ocs-ge2-grand-est", "ocsid"}),
    ({"organization": "openig"}, {"ocs-ge-occitanie", "ocsid"}),
    ({"q": "Languedoc"}, {"ocsid"}),
    ({"ext_bbox": "7.5,48.4,7.9,48.7"}, {"ocs-ge2-grand-est"}),
])
def test_filters_match_the_catalogue_search(registry, filters, expected):
    data = _map(**filters)
    names = {b["name"] for r in data["regions"] for b in r["bases"]}
    assert names == expected
    # the catalogue search with the same parameters finds the same records
    from ckanext.ocsregistry.search import query
    search = query.package_search_params(
        {k: [v] if k in query.FILTER_FIELDS else v for k, v in filters.items()})
    found = call_action("package_search", context={"user": ""}, rows=100, **search)
    assert {r["name"] for r in found["results"]} == expected


@pytest.mark.parametrize("filters,field", [
    ({"era": "1789"}, "era"),
    ({"ext_vintage_from": "deux mille"}, "ext_vintage_from"),
    ({"ext_vintage_from": 2020, "ext_vintage_to": 2010}, "ext_vintage_to"),
    ({"ext_bbox": "north pole"}, "ext_bbox"),
    ({"vocab_ocsregistry_characteristic": ["x"] * 50}, "vocab_ocsregistry_characteristic"),
])
def test_bad_filters_are_refused_naming_the_field(filters, field):
    with pytest.raises(tk.ValidationError) as err:
        _map(**filters)
    assert field in err.value.error_dict


def test_private_records_stay_with_their_crige(crige_grand_est):
    create_record(crige_grand_est, private=True)
    assert _map()["count"] == 0
    member = call_action("ocsregistry_map_data",
                         context={"user": crige_grand_est["member"]["name"], "ignore_auth": False})
    assert member["count"] == 1


def test_map_data_over_the_api(app, registry):
    resp = app.get("/api/3/action/ocsregistry_map_data",
                   query_string={"era": "pre-2016", "vocab_ocsregistry_characteristic": "ocs_ge"})
    result = resp.json["result"]
    assert result["count"] == 1
    assert {r["code"] for r in result["regions"] if r["bases"]} == {"73", "91"}


class TestMapPage:
    def test_page_shows_legend_table_and_links(self, app, registry):
        body = app.get("/ocsregistry/map").body
        soup = BeautifulSoup(body, "html.parser")
        legend = {li.get("data-status"): li.get_text(" ", strip=True)
                  for li in soup.select(".ocsregistry-legend li[data-status]")}
        assert legend["regional_specific"] == "OCS régionale spécifique · 1 région"
        assert legend["ocs_ge_improved"].startswith("OCS GE améliorée · 1 région (dont 1 partiellement")
        assert legend["nothing"] == "Aucune fiche · 16 régions"
        rows = soup.select("table.ocsregistry-map-table tbody tr")
        assert len(rows) == 18
        occitanie = soup.select_one('tr[data-region="76"]').get_text(" ", strip=True)
        assert "OCS GE Occitanie" in occitanie and "OCSID" in occitanie and "OPenIG" in occitanie
        assert soup.select_one('header') is not None
        assert "Carte nationale" in body

    def test_page_without_javascript_has_the_same_information(self, app, registry):
        body = app.get("/ocsregistry/map", query_string={"era": "pre-2016"}).body
        soup = BeautifulSoup(body, "html.parser")
        script = soup.select_one("script.ocsregistry-map-data").string
        data = json.loads(script)
        by_record = {r["code"]: r for r in _map(era="pre-2016")["regions"]}
        for region in data["regions"]:
            row = soup.select_one(f'tr[data-region="{region["code"]}"]').get_text(" ", strip=True)
            assert region["status_label"] in row
            assert region["record_count"] == len(by_record[region["code"]]["bases"])
            for base in by_record[region["code"]]["bases"]:
                assert base["title"] in row
                # each base is on the page once: in the table, not again in the script's data
                assert base["title"] not in script

    def test_filters_are_kept_in_links_to_search_and_export(self, app, registry):
        query = {"vocab_ocsregistry_characteristic": "ocs_ge", "ext_vintage_from": "2015"}
        soup = BeautifulSoup(app.get("/ocsregistry/map", query_string=query).body, "html.parser")
        links = {a.get_text(strip=True): a["href"] for a in soup.select(".ocsregistry-map-links a")}
        search = links["Voir ces fiches dans le catalogue"]
        assert search.startswith("/ocs/?")
        for href in (search, links["Exporter en CSV"], links["Exporter en Excel"]):
            assert "vocab_ocsregistry_characteristic=ocs_ge" in href and "ext_vintage_from=2015" in href
        # and the catalogue search honours them
        results = BeautifulSoup(app.get(search).body, "html.parser")
        titles = [a.get_text(strip=True) for a in results.select(".dataset-heading a")]
        assert titles == ["OCS GE Occitanie"]
        assert soup.select_one("#f-characteristic option[selected]")["value"] == "ocs_ge"
        assert [o.get_text() for o in soup.select("#f-crige option")] == ["Toutes", "GéoGrandEst", "OPenIG"]

    def test_bad_filters_are_explained_and_ignored(self, app, registry):
        body = app.get("/ocsregistry/map", query_string={"ext_vintage_from": "abc"}).body
        soup = BeautifulSoup(body, "html.parser")
        errors = soup.select_one(".ocsregistry-filter-errors")
        # in the user's words: the field's label, linked to the field, not the parameter
        assert "Millésime à partir de : " in errors.get_text()
        assert "ext_vintage_from" not in errors.get_text()
        assert errors.select_one('a[href="#f-from"]') is not None
        assert len(soup.select("table.ocsregistry-map-table tbody tr")) == 18

    def test_embed_variant_has_no_site_chrome(self, app, registry):
        body = app.get("/ocsregistry/map", query_string={"embed": "1"}).body
        soup = BeautifulSoup(body, "html.parser")
        assert soup.select_one("header") is None and soup.select_one("footer") is None
        assert soup.select_one(".ocsregistry-map") is not None
        assert "ocsregistry-embed" in soup.body.get("class", [])
        assert all(a.get("target") == "_top" for a in soup.select("table.ocsregistry-map-table a"))

    def test_record_text_never_runs_as_html(self, app, crige_grand_est):
        evil = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
        create_record(crige_grand_est, title=evil)
        body = app.get("/ocsregistry/map").body
        assert evil not in body
        assert "<img src=x" not in body
        soup = BeautifulSoup(body, "html.parser")
        # the title is text in the table, which the panel shows (the script's data names no base)
        assert soup.select_one('tr[data-region="44"] .ocsregistry-region-bases a').get_text() == evil
        json.loads(soup.select_one("script.ocsregistry-map-data").string)

    def test_site_navigation_links_to_the_map(self, app):
        soup = BeautifulSoup(app.get("/dataset/").body, "html.parser")
        assert soup.select_one('header a[href="/ocsregistry/map"]') is not None

    def test_search_and_crige_pages_link_to_map_and_export(self, app, registry):
        soup = BeautifulSoup(app.get("/ocs/", query_string={"organization": "openig"}).body, "html.parser")
        hrefs = [a["href"] for a in soup.select(".ocsregistry-links a")]
        assert "/ocsregistry/export.csv?organization=openig&lang=fr" in hrefs
        # no ckanext-spatial map filter (third-party tiles): the national map is the map
        assert soup.select_one("#dataset-map") is None
        soup = BeautifulSoup(app.get("/organization/openig").body, "html.parser")
        hrefs = [a["href"] for a in soup.select(".ocsregistry-links a")]
        assert "/ocsregistry/map?organization=openig" in hrefs


def test_partial_coverage_and_vintage_statuses(registry, crige_grand_est):
    create_record(crige_grand_est, name="ocs-bas-rhin", title="OCS Bas-Rhin",
                  ocs_characteristic="ocs_ge",
                  vintages=[{"year": 2020, "status": "available", "note": "Bas-Rhin"},
                            {"year": 2026, "status": "planned", "note": "Bas-Rhin et Haut-Rhin"}])
    regions = _by_code(_map())
    # OCSID covers former Languedoc-Roussillon only: Occitanie is partly covered
    assert regions["76"]["coverage"] == "partial" and regions["76"]["fill_under"] == "#a6dba0"
    assert regions["44"]["coverage"] == "full"
    bases = {b["name"]: b for b in regions["44"]["bases"]}
    assert bases["ocs-bas-rhin"]["partial"] and not bases["ocs-ge2-grand-est"]["partial"]
    assert [(v["year"], v["status_label"], v["note"]) for v in bases["ocs-bas-rhin"]["vintage_details"]] == [
        (2020, "Disponible", "Bas-Rhin"), (2026, "Prévu", "Bas-Rhin et Haut-Rhin")]
    legend = {e["value"]: e for e in _map()["legend"]}
    assert (legend["ocs_ge_improved"]["count"], legend["ocs_ge_improved"]["partial"]) == (1, 1)
    assert legend["nothing"]["count"] == 16
    # before 2016, OCSID covers all of Languedoc-Roussillon
    pre = _by_code(_map(era="pre2016"))
    assert pre["91"]["coverage"] == "full" and pre["91"]["status"] == "ocs_ge_improved"
    assert pre["42"]["coverage"] == "full"  # Alsace: the whole-region base is regional_specific


@pytest.mark.parametrize("era", ["pre2016", "pre-2016", "PRE2016", " pre-2016 "])
def test_both_spellings_of_the_pre_2016_era(era):
    assert _map(era=era)["era"] == "pre-2016"


def test_unknown_era_is_explained():
    with pytest.raises(tk.ValidationError) as err:
        _map(era="1789")
    assert "pre-2016" in " ".join(err.value.error_dict["era"])
