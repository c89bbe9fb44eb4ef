"""``ckan ocsregistry load-demo``: the demonstration registry."""
from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import demo

pytestmark = pytest.mark.usefixtures("with_plugins", "with_extended_cli", "clean_db", "clean_index")


def _load(cli):
    result = cli.invoke(ckan, ["ocsregistry", "load-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_loads_every_region_and_is_idempotent(cli):
    shipped = demo.read()
    output = _load(cli)
    assert f"{len(shipped['datasets'])} OCS records" in output

    result = call_action("package_search", q="*:*", rows=100,
                         **{"facet.field": ["vocab_ocsregistry_region"], "facet.limit": -1})
    assert result["count"] == len(shipped["datasets"])
    regions = {i["name"] for i in result["search_facets"]["vocab_ocsregistry_region"]["items"]}
    assert len(regions) == 18  # one record at least for every current region

    before = {p["name"]: p["metadata_modified"] for p in result["results"]}
    output = _load(cli)
    total = len(shipped["datasets"]) + len(shipped["organizations"])
    assert f"(0 created, 0 updated, {total} unchanged)" in output
    again = call_action("package_search", q="*:*", rows=100)
    assert {p["name"]: p["metadata_modified"] for p in again["results"]} == before
    assert len(call_action("organization_list")) == len(shipped["organizations"])

    site_user = call_action("get_site_user")["name"]
    call_action("package_patch", context={"user": site_user}, id="ocs-grand-est",
                title="Changed here")
    assert "(0 created, 1 updated" in _load(cli)
    assert call_action("package_show", id="ocs-grand-est")["title"] != "Changed here"


def test_unconfirmed_facts_are_marked_not_asserted(cli):
    _load(cli)
    bfc = call_action("package_show", id="ocs-bourgogne-franche-comte")
    assert bfc["info_status"] == "unverified"
    assert bfc["ocs_characteristic"] == "unknown"
    idf = call_action("package_show", id="ocs-ile-de-france")
    assert idf["info_status"] == "partial"
    assert "mmu_m2" not in idf and "non confirmé" in idf["mmu"]


def test_records_sit_in_their_crige_with_derived_extents(cli):
    _load(cli)
    ocsid = call_action("package_show", id="ocsid-aude-pyrenees-orientales")
    assert ocsid["organization"]["name"] == "openig"
    assert ocsid["region_name"] == "Occitanie (Languedoc-Roussillon)"
    assert "spatial" in ocsid
    org = call_action("organization_show", id="openig")
    assert org["regions_covered"] == ["76"]
