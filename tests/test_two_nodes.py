"""Two web nodes of one site, sharing PostgreSQL, Solr and Redis: an edit made
through one is seen at once through the other, on the record page, the search,
the national map (page and data) and the CSV export. Nothing the registry keeps
per process may go stale (its Redis digests are shared).

Each node is gunicorn with the production settings and two worker processes,
so a page may come from any of four processes; node B's pages are visited
before the edit so that anything a process would keep is warm.
"""
from __future__ import annotations

import csv
import io
import re

import pytest
import requests
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk

from .conftest import VALID_RECORD, as_user, create_record
from .live_site import free_port, serve

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

NEW_TITLE = "OCS Grand Est millésime ornithorynque"
BEFORE = "regional_specific"
AFTER = "clc_derived"


@pytest.fixture(scope="module")
def nodes(registry_app):
    """Two nodes of one site (one ckan.site_url, as behind a load balancer)."""
    ini = tk.config["__file__"]
    site_url = f"http://127.0.0.1:{free_port()}"
    with serve(ini, workers=2, site_url=site_url) as node_a, \
            serve(ini, workers=2, site_url=site_url) as node_b:
        yield node_a, node_b


def legend_count(html: str, status: str) -> int:
    """How many regions the map page's legend counts in the colour of ``status``."""
    item = BeautifulSoup(html, "html.parser").select_one(
        f'li[data-status="{status}"] .ocsregistry-legend-count')
    assert item is not None, f"no legend entry {status}"
    return int(re.search(r"\d+", item.text).group())


def views(node: str, name: str) -> dict[str, str]:
    """What a visitor gets from the node: record page, search, map page, map data, CSV."""
    def get(path: str, **params) -> requests.Response:
        response = requests.get(node + path, params=params, timeout=60)
        assert response.status_code == 200, (path, response.status_code)
        return response

    region = next(r for r in get("/api/3/action/ocsregistry_map_data").json()["result"]["regions"]
                  if r["code"] == VALID_RECORD["region_code"])
    rows = list(csv.reader(io.StringIO(get("/ocsregistry/export.csv").content.decode("utf-8-sig"))))
    return {
        "record": get(f"/ocs/{name}").text,
        "search": get("/ocs/", q="ornithorynque").text,
        "map_legend": {status: legend_count(get("/ocsregistry/map").text, status)
                       for status in (BEFORE, AFTER)},
        "map_status": region["status"],
        "csv": "\n".join(",".join(row) for row in rows),
    }


def test_an_edit_through_one_node_is_seen_at_once_through_the_other(nodes, crige_grand_est):
    node_a, node_b = nodes
    rec = create_record(crige_grand_est, ocs_characteristic=BEFORE)
    # Warm every process of node B (two workers: twice each page).
    for _ in range(4):
        before = views(node_b, rec["name"])
    assert before["map_status"] == BEFORE
    assert NEW_TITLE not in before["record"] and NEW_TITLE not in before["csv"]
    assert rec["name"] not in before["search"]
    assert before["map_legend"] == {BEFORE: 1, AFTER: 0}

    edited = requests.post(f"{node_a}/api/3/action/package_patch",
                           json={"id": rec["id"], "title": NEW_TITLE, "ocs_characteristic": AFTER},
                           timeout=60, **as_user(crige_grand_est["editor"]["name"]))
    assert edited.json()["success"], edited.text[-1000:]

    # Node B at once (no wait, no retry), several times: any of its workers may answer.
    for _ in range(3):
        after = views(node_b, rec["name"])
        assert NEW_TITLE in after["record"]
        assert f'/ocs/{rec["name"]}' in after["search"]
        assert after["map_status"] == AFTER
        assert after["map_legend"] == {BEFORE: 0, AFTER: 1}
        assert NEW_TITLE in after["csv"]
