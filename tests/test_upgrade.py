"""Upgrading a site of 0.1.0: `ckan ocsregistry upgrade` cleans what it leaked.

A 0.1.0 site kept restricted values as package extras, and a record saved
inside a web request leaked them into the index, the Redis digests and the
activity stream. The test builds that state (the extension's migration run
down moves the values back into extras; the record is indexed without the
index guard; an activity snapshot is given the values), then runs the one
documented command and reads every store.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib import search
from ckan.lib.redis import connect_to_redis
from ckan.lib.search.common import make_connection
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import CKANCliRunner, call_action

from ckanext.ocsregistry import restricted
from ckanext.ocsregistry import extras
from ckanext.ocsregistry.search import digests, index

from .conftest import RESTRICTED_VALUES, as_user, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SECRET = "zanzibarfund"  # in the record's funders only


def _run(*args: str):
    return CKANCliRunner(env={"CKAN_INI": tk.config["__file__"]}).invoke(ckan_cli, list(args))


def _extras(package_id: str) -> dict[str, str]:
    return extras.stored_package_extras(package_id)


def _stores_text(package_id: str, name: str) -> str:
    model.Session.remove()
    solr = make_connection().search(q=f'id:"{package_id}"', fl="*").docs
    client = connect_to_redis()
    cached = [client.hgetall(key) for key in client.scan_iter(match=f"ocsregistry:digest:*:{name}")]
    activity = model.Session.execute(sa.text(
        "select data from activity where object_id = :id"), {"id": package_id}).all()
    return json.dumps([solr, [{k.decode(): v.decode() for k, v in c.items()} for c in cached],
                       [str(a[0]) for a in activity]], default=str)


def test_upgrade_moves_values_out_of_extras_and_cleans_every_store(
        app, crige_grand_est, monkeypatch):
    from ckan.cli.db import _run_migrations

    pkg = create_record(crige_grand_est)
    call_action("package_patch", context={"user": crige_grand_est["editor"]["name"]},
                id=pkg["id"], mmu="300 m²")  # a second activity snapshot

    # -- the state of a 0.1.0 site ------------------------------------------
    _run_migrations("ocsregistry", version="base", forward=False)
    model.Session.remove()
    assert _extras(pkg["id"])["funders"] == RESTRICTED_VALUES["funders"]
    with monkeypatch.context() as m:  # 0.1.0 indexed whatever package_show gave
        m.setattr(index, "prepare", lambda pkg_dict: pkg_dict)
        m.setattr(restricted.policy, "apply_to_show", lambda pkg_dict, context: None)
        search.rebuild(pkg["id"])
        digests.store([(call_action("package_show", id=pkg["id"]), None)])
    model.Session.execute(sa.text("""
        update activity set data = jsonb_set(data::jsonb, '{package,funders}', to_jsonb(CAST(:v AS text)))::text
        where object_id = :id"""), {"id": pkg["id"], "v": RESTRICTED_VALUES["funders"]})
    model.Session.commit()
    assert _stores_text(pkg["id"], pkg["name"]).count(SECRET) >= 3  # Solr, digests, activity

    # -- the one command --------------------------------------------------------
    result = _run("ocsregistry", "upgrade")
    assert result.exit_code == 0, result.output
    assert "1 records reindexed" in result.output

    model.Session.remove()
    assert not set(_extras(pkg["id"])) & set(RESTRICTED_VALUES)
    solr, cached, activity = json.loads(_stores_text(pkg["id"], pkg["name"]))
    assert SECRET not in json.dumps(solr), "Solr"
    assert SECRET not in json.dumps(cached), "digests"
    assert SECRET not in json.dumps(activity), "activity"
    anonymous = app.get("/api/3/action/package_show", query_string={"id": pkg["id"]}).json
    assert SECRET not in json.dumps(anonymous)
    member = app.get("/api/3/action/package_show", query_string={"id": pkg["id"]},
                     **as_user(crige_grand_est["member"]["name"])).json["result"]
    assert {f: member[f] for f in RESTRICTED_VALUES} == RESTRICTED_VALUES
    # safe to run again
    assert _run("ocsregistry", "upgrade").exit_code == 0
