"""Per-region aggregates counted by the index: the ocsregistry_region_summary action."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.ocsregistry.search import query, summary

from .conftest import as_user, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    # regional_specific at 1:2 500, both dimensions, latest available 2019
    create_record(crige_grand_est)
    # OCS GE without a stated scale: large scale by definition; land cover only
    create_record(crige_occitanie, name="ocs-ge-occitanie", title="OCS GE Occitanie",
                  region_code="76", ocs_characteristic="ocs_ge", dimensions=["land_cover"],
                  interpretation_scale="", vintages=[{"year": 2019, "status": "available"}])
    # covers Languedoc-Roussillon only (part of Occitanie), 1:50 000, a vintage in production
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  interpretation_scale="1:50 000",
                  vintages=[{"year": 2012, "status": "available"},
                            {"year": 2025, "status": "in_production"}])


def _summary(**params):
    return call_action("ocsregistry_region_summary", context={"user": "", "ignore_auth": False},
                       **params)


def _by_code(data):
    return {r["code"]: r for r in data["regions"]}


def test_counts_per_region_and_traits(registry):
    data = _summary()
    regions = _by_code(data)
    assert data["era"] == "2016" and data["count"] == 3 and len(regions) == 18
    assert data["traits"] == {"large_scale": 2, "two_dimensions": 2, "in_production": 1,
                              "planned": 0}
    ge, occ = regions["44"], regions["76"]
    assert (ge["status"], ge["coverage"], ge["record_count"], ge["latest_vintage"]) == (
        "regional_specific", "full", 1, 2019)
    assert ge["traits"] == {"large_scale": 1, "two_dimensions": 1, "in_production": 0, "planned": 0}
    # Occitanie: OCSID (improved OCS GE) covers part of it; OCS GE all of it
    assert (occ["status"], occ["coverage"], occ["record_count"]) == ("ocs_ge_improved", "partial", 2)
    assert occ["fill_under"] == "#a6dba0"  # the OCS GE colour under the hatching
    assert [(c["value"], c["count"], c["partial"]) for c in occ["characteristics"]] == [
        ("ocs_ge_improved", 1, 1), ("ocs_ge", 1, 0)]
    assert occ["traits"] == {"large_scale": 1, "two_dimensions": 1, "in_production": 1,
                             "planned": 0}
    assert occ["latest_vintage"] == 2019
    assert regions["53"]["status"] == "nothing" and regions["53"]["record_count"] == 0
    assert regions["53"]["latest_vintage"] is None
    legend = {e["value"]: e["count"] for e in data["legend"]}
    assert legend["nothing"] == 16 and legend["regional_specific"] == 1


@pytest.mark.parametrize("era", ["2016", "pre-2016"])
def test_same_colours_as_the_per_record_map_data(registry, era):
    by_summary = _by_code(_summary(era=era))
    by_record = _by_code(call_action("ocsregistry_map_data", context={"user": ""}, era=era))
    assert by_summary.keys() == by_record.keys()
    for code, region in by_record.items():
        got = by_summary[code]
        assert (got["status"], got["coverage"], got["fill_under"], got["record_count"]) == (
            region["status"], region["coverage"], region["fill_under"], len(region["bases"])), code


@pytest.mark.parametrize("filters,count", [
    ({"vocab_ocsregistry_trait": "in_production"}, 1),
    ({"vocab_ocsregistry_trait": "large_scale"}, 2),
    ({"vocab_ocsregistry_trait": ["large_scale", "two_dimensions"]}, 1),
    ({"ext_latest_vintage_from": 2015}, 2),
    ({"organization": "openig", "ext_latest_vintage_from": 2019}, 1),
])
def test_filters_count_what_the_catalogue_search_finds(app, registry, filters, count):
    assert _summary(**filters)["count"] == count
    # the registry home links to the catalogue search with these parameters
    search = query.package_search_params(filters)
    assert call_action("package_search", context={"user": ""}, **search)["count"] == count
    assert app.get("/ocs/", query_string=filters).status_code == 200


@pytest.mark.parametrize("params,field", [
    ({"era": "1789"}, "era"),
    ({"ext_latest_vintage_from": "20x5"}, "ext_latest_vintage_from"),
    ({"vocab_ocsregistry_trait": "large"}, "vocab_ocsregistry_trait"),
    ({"vocab_ocsregistry_trait": ["planned", 12]}, "vocab_ocsregistry_trait"),
])
def test_bad_parameters_are_named(app, params, field):
    with pytest.raises(tk.ValidationError) as error:
        _summary(**params)
    assert field in error.value.error_dict
    response = app.post("/api/3/action/ocsregistry_region_summary", json=params, status=409)
    assert field in response.json["error"]


def test_private_records_count_only_for_their_crige(app, crige_grand_est):
    create_record(crige_grand_est, private=True)
    anonymous = app.get("/api/3/action/ocsregistry_region_summary").json["result"]
    assert anonymous["count"] == 0
    member = app.get("/api/3/action/ocsregistry_region_summary",
                     **as_user(crige_grand_est["member"]["name"])).json["result"]
    assert member["count"] == 1 and _by_code(member)["44"]["record_count"] == 1


@pytest.mark.parametrize("text,expected", [
    ("1:2 500", 2500), ("1/5000", 5000), ("1 : 10\u202f000", 10000), ("au 1:25.000", 25000),
    ("", None), ("grande", None), (None, None),
])
def test_scale_denominator(text, expected):
    assert summary.scale_denominator(text) == expected
