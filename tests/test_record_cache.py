"""Digests of records in Redis: used when fresh, rebuilt when missing or stale."""
from __future__ import annotations

import csv
import io
import json

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests.helpers import call_action

from ckanext.ocsregistry.search import digests, fields

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis")


def _rows(app):
    text = app.get("/ocsregistry/export.csv").get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _stored(name):
    return {k.decode(): v.decode() for k, v in connect_to_redis().hgetall(digests._key(name)).items()}


def test_indexing_stores_the_digest(crige_grand_est):
    pkg = create_record(crige_grand_est)
    stored = _stored(pkg["name"])
    assert stored["modified"] == pkg["metadata_modified"][:19]
    assert json.loads(stored["map"])["regions"] == {"2016": ["44"], "pre-2016": ["21", "41", "42"]}
    assert stored["csv_fr"].startswith("OCS GE2 Grand Est;ocs-ge2-grand-est;GéoGrandEst;")
    assert "zanzibarfund" not in json.dumps(stored)  # restricted values never cached


def test_missing_digests_are_rebuilt_from_the_index(app, crige_grand_est):
    pkg = create_record(crige_grand_est)
    expected = _rows(app)
    connect_to_redis().delete(digests._key(pkg["name"]))
    assert _rows(app) == expected
    assert _stored(pkg["name"])["modified"] == pkg["metadata_modified"][:19]


def test_stale_digests_are_not_served(app, crige_grand_est):
    pkg = create_record(crige_grand_est)
    key = digests._key(pkg["name"])
    redis = connect_to_redis()
    redis.hset(key, mapping={
        "modified": "2000-01-01T00:00:00",
        "csv_fr": "Titre périmé;x\r\n",
        "map": json.dumps(dict(json.loads(_stored(pkg["name"])["map"]), title="Titre périmé")),
    })
    assert _rows(app)[1][0] == "OCS GE2 Grand Est"
    body = app.get("/ocsregistry/map").body
    assert "Titre périmé" not in body and "OCS GE2 Grand Est" in body


def test_an_update_or_a_deletion_shows_at_once(app, crige_grand_est):
    pkg = create_record(crige_grand_est)
    editor = {"user": crige_grand_est["editor"]["name"]}
    call_action("package_patch", context=dict(editor), id=pkg["id"], title="Nouveau titre")
    assert _rows(app)[1][0] == "Nouveau titre"
    call_action("package_delete", context=dict(editor), id=pkg["id"])
    assert len(_rows(app)) == 1  # the header only


def test_records_indexed_before_the_key_facet_are_still_listed(app, crige_grand_est,
                                                               monkeypatch):
    from ckanext.ocsregistry.search import index

    prepare = index.prepare

    def as_older_versions_did(pkg_dict):  # no vocab_ocsregistry_key in the document
        prepare(pkg_dict)
        pkg_dict.pop(fields.FACET_KEY, None)
        return pkg_dict

    monkeypatch.setattr(index, "prepare", as_older_versions_did)
    create_record(crige_grand_est, name="ocs-old-a", title="Ancienne A")
    create_record(crige_grand_est, name="ocs-old-b", title="Ancienne B")
    monkeypatch.undo()
    create_record(crige_grand_est, name="ocs-new", title="Nouvelle")
    keyed = call_action("package_search", rows=0, **{"facet.field": [fields.FACET_KEY]})
    assert len(keyed["search_facets"][fields.FACET_KEY]["items"]) == 1

    rows = _rows(app)

    assert sorted(r[1] for r in rows[1:]) == ["ocs-new", "ocs-old-a", "ocs-old-b"]
    map_data = call_action("ocsregistry_map_data")
    assert map_data["count"] == 3
    assert {b["name"] for r in map_data["regions"] for b in r["bases"]} == {
        "ocs-new", "ocs-old-a", "ocs-old-b"}
