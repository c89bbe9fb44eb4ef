"""The registry on SolrCloud: search, facets, the national map and the CSV export
through a real two-node SolrCloud collection (tests/solrcloud.py), and search
answering while a node is down.

The collection has 2 shards of 2 replicas on 2 nodes: every query is a
distributed one (each shard answers for its part, facet counts and result pages
are merged, as they are on any sharded collection), and each node holds a
replica of every shard, so one node down loses nothing. The tests of
test_search.py, test_map.py and test_export.py are run again here, unchanged,
with CKAN's ``solr_url`` on the collection and their records created over
CKAN's HTTP API with the CRIGE editor's token.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
try:  # CKAN 2.11 keeps the Solr address it read at start-up; 2.12 reads solr_url each time
    from ckan.lib.search.common import SolrSettings
except ImportError:
    SolrSettings = None
from ckan.plugins import toolkit as tk

from . import test_export, test_map, test_search
from .conftest import as_user, record
from .solrcloud import missing, solrcloud as start_solrcloud

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]


@pytest.fixture(scope="module")
def solrcloud():
    reason = missing()
    if reason:
        pytest.skip(f"SolrCloud tests need Java and the Solr jars ({reason}); "
                    "`make test` installs them (devstack/stack.sh install)")
    with tempfile.TemporaryDirectory(prefix="ocsregistry-solrcloud-") as base:
        with start_solrcloud(Path(base)) as cluster:
            yield cluster


@pytest.fixture(scope="module", autouse=True)
def cloud_solr_url(registry_app, solrcloud):
    """CKAN's ``solr_url`` on the collection (through node 0) for this module.

    CKAN 2.11 reads ``solr_url`` once, into ``SolrSettings``, when the application
    is made (``registry_app``), and every Solr connection comes from there;
    CKAN 2.12 reads the option at each connection."""
    url = solrcloud.collection_url(0)
    before = SolrSettings.get() if SolrSettings else None
    before_config = tk.config.get("solr_url")
    _use_solr(url)
    yield url
    if SolrSettings:
        SolrSettings.init(*before)
    tk.config["solr_url"] = before_config


def _use_solr(url: str) -> None:
    """Point CKAN's Solr connections at ``url`` (2.11: SolrSettings; 2.12: the config)."""
    if SolrSettings:
        SolrSettings.init(url)
    tk.config["solr_url"] = url


def create_record_over_api(app, crige: dict, **overrides) -> dict:
    """``conftest.create_record``, as a CRIGE editor's API client makes it."""
    data = record(owner_org=crige["org"]["id"], **overrides)
    response = app.post("/api/3/action/package_create", json=data, status=200,
                        **as_user(crige["editor"]["name"]))
    return response.json["result"]


@pytest.fixture(autouse=True)
def records_over_api(app, monkeypatch):
    """The reused modules' fixtures create their records over the API."""
    def create(crige: dict, **overrides) -> dict:
        return create_record_over_api(app, crige, **overrides)

    for module in (test_search, test_map, test_export):
        monkeypatch.setattr(module, "create_record", create)


def _rerun(module, *names: str) -> type:
    """A base class holding ``names`` (tests and the fixtures they use) of ``module``,
    so that they run again in this module, each group with its own module's
    records. Plain functions become static methods: pytest calls them as it
    does in their module."""
    return type(f"Rerun_{module.__name__}", (), {n: staticmethod(getattr(module, n))
                                                 for n in names})


class TestSearchOnSolrCloud(_rerun(
        test_search, "registry", "test_facet_counts_over_the_registry",
        "test_filter_by_region_and_characteristic", "test_vintage_range",
        "test_free_text_reaches_region_names_and_detail_fields", "test_spatial_bbox_search",
        "test_search_page_shows_french_facets", "test_dataset_page_lists_registry_records")):

    # Known issue: on CKAN 2.12 a record written while node 1 was down was, once
    # the node had restarted, missing from a shard leader's own count (search
    # during the outage found it; CKAN 2.11 passes). 2.12 indexes inside the
    # action with its own commit policy; not yet explained (CHANGELOG).
    @pytest.mark.xfail(tk.check_ckan_version(min_version="2.12"), strict=False,
                       reason="CKAN 2.12: a write made during a node's outage missing from a "
                              "shard leader after the restart (under investigation)")
    def test_search_answers_with_a_node_down(self, solrcloud, app, registry, crige_occitanie):
        replicas = solrcloud.replicas()
        # the layout the module docstring promises: each shard on both nodes
        assert {(r["shard"], r["base_url"]) for r in replicas} == {
            (shard, node) for shard in ("shard1", "shard2") for node in solrcloud.nodes}
        # records until both shards hold some (ids are random: 3 may share one)
        extra = 0
        while min(_shard_counts(solrcloud).values()) == 0 and extra < 20:
            extra += 1
            create_record_over_api(app, crige_occitanie, name=f"ocs-occitanie-{extra}",
                                   title=f"OCS Occitanie {extra}", region_code="76")
        assert min(_shard_counts(solrcloud).values()) > 0
        total = 3 + extra
        # every replica holds its shard's documents (the updates reached them
        # all: with CKAN's string _version_ they did not, see build_schema.py)
        assert _replica_counts(solrcloud) == _shard_counts(solrcloud)
        before = test_search._search(q="*:*")
        assert before["count"] == total

        # CKAN talks to node 0; node 1 holds a replica of each shard (and usually
        # leads one: its stop then forces an election)
        solrcloud.stop_node(1)
        try:
            during = test_search._search(q="*:*")
            assert during["count"] == total
            assert during["search_facets"] == before["search_facets"]
            # a write while a node is down goes to the leaders left on node 0
            create_record_over_api(app, crige_occitanie, name="ocs-pendant-la-panne",
                                   title="OCS pendant la panne", region_code="76")
            found = test_search._search(q="*:*", fq='vocab_ocsregistry_region:"76"')
            assert found["count"] == total  # all but Grand Est, plus the new one
            assert "ocs-pendant-la-panne" in {r["name"] for r in
                                              test_search._search(q="panne", rows=50)["results"]}
        finally:
            solrcloud.start_node(1)  # returns once every replica is active again

        # the restarted node caught up: each replica holds its shard's documents
        shards = _shard_counts(solrcloud)
        assert _replica_counts(solrcloud) == shards
        assert sum(shards.values()) == total + 1
        # and the collection answers the same through node 1
        _use_solr(solrcloud.collection_url(1))
        try:
            assert test_search._search(q="*:*")["count"] == total + 1
        finally:
            _use_solr(solrcloud.collection_url(0))


def _shard_counts(solrcloud) -> dict[str, int]:
    """Documents per shard, read from each shard's leader core."""
    return {r["shard"]: solrcloud.core_count(r) for r in solrcloud.replicas()
            if r.get("leader") == "true"}


def _replica_counts(solrcloud) -> dict[str, int]:
    """Documents per shard if all its replicas agree (else the set of their counts)."""
    counts: dict[str, set[int]] = {}
    for replica in solrcloud.replicas():
        counts.setdefault(replica["shard"], set()).add(solrcloud.core_count(replica))
    return {shard: c.pop() if len(c) == 1 else c for shard, c in counts.items()}


class TestMapOnSolrCloud(_rerun(
        test_map, "registry", "test_current_regions_take_their_most_specific_base",
        "test_pre_2016_regions", "test_filters_match_the_catalogue_search",
        "test_private_records_stay_with_their_crige", "test_map_data_over_the_api",
        "test_partial_coverage_and_vintage_statuses")):
    pass


class TestExportOnSolrCloud(_rerun(
        test_export, "records", "test_csv_rows_in_french",
        "test_private_records_only_for_their_crige", "test_export_honours_the_search_filters")):
    pass
