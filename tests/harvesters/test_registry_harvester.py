"""End to end: harvesting a second registry site (another CKAN process) into this one."""
from __future__ import annotations

import json
import os

import pytest
import requests
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.ocsregistry.harvesters import job_runner, record_mapping

from ckanext.ocsregistry import restricted
from ..conftest import RESTRICTED_VALUES, VALID_RECORD, as_user
from ..live_site import ckan_command, serve
from .conftest import harvest_source, site_context

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]


@pytest.fixture
def national_org():
    return factories.Organization(name="cnig", title="CNIG")


def local(name: str) -> dict:
    return call_action("package_show", id=name)


def test_every_public_field_survives_and_lands_in_the_crige_of_the_region(
        source_site, crige_grand_est, national_org):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    remote = source_site.create_record(src_org)
    source = harvest_source(source_site.url, national_org["id"])

    job = job_runner.run_source(source["name"])

    assert job["status"] == "Finished"
    assert job["stats"]["added"] == 1 and job["stats"]["errored"] == 0, job
    mine = local(VALID_RECORD["name"])
    assert mine["owner_org"] == crige_grand_est["org"]["id"]
    public, _resource_fields = record_mapping.local_fields()
    for field in public:
        if field in ("name",) or field not in remote:
            continue
        assert mine.get(field) == remote[field], field
    assert mine["vintages"] == remote["vintages"] and len(mine["vintages"]) == 2
    assert mine["producers"] == ["CLS", "TTI"]
    # The source never publishes restricted values, and nothing invents them here.
    for field in RESTRICTED_VALUES:
        assert not restricted.with_values(mine).get(field), field


def test_a_source_mapping_chooses_among_crige_covering_the_same_region(
        source_site, crige_grand_est, national_org):
    other = factories.Organization(name="ge-bis", regions_covered=["44"])
    src_org = source_site.create_crige("geograndest-src", ["44"])
    source_site.create_record(src_org)

    ambiguous = harvest_source(source_site.url, national_org["id"])
    job = job_runner.run_source(ambiguous["id"])
    assert job["stats"]["errored"] == 1
    message = job["object_error_summary"][0]["message"]
    assert "owner_org" in message and "several local organisations cover region 44" in message
    with pytest.raises(tk.ObjectNotFound):
        local(VALID_RECORD["name"])

    call_action("harvest_source_delete", context=site_context(), id=ambiguous["id"],
                clear=True)
    mapped = harvest_source(source_site.url, national_org["id"],
                            {"organizations": {"geograndest-src": "ge-bis"}}, name="mapped")
    job = job_runner.run_source(mapped["id"])
    assert job["stats"]["added"] == 1, job
    assert local(VALID_RECORD["name"])["owner_org"] == other["id"]


def test_changes_at_the_source_update_and_deletions_withdraw(
        source_site, crige_grand_est, national_org):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    first = source_site.create_record(src_org)
    second = source_site.create_record(src_org, name="ocs-ge-2010", title="OCS GE 2010")
    third = source_site.create_record(src_org, name="ocs-ge-2000", title="OCS GE 2000")
    source = harvest_source(source_site.url, national_org["id"])
    assert job_runner.run_source(source["id"])["stats"]["added"] == 3

    source_site.action("package_patch", id=first["id"], title="OCS GE2 Grand Est (v3)",
                       vintages=[{"year": 2010, "status": "available"},
                                 {"year": 2019, "status": "available"},
                                 {"year": 2024, "status": "in_production"}])
    source_site.action("package_delete", id=second["id"])
    before = local(third["name"])

    job = job_runner.run_source(source["id"])

    assert (job["stats"]["updated"], job["stats"]["deleted"], job["stats"]["errored"]) == (1, 1, 0)
    updated = local(first["name"])
    assert updated["title"] == "OCS GE2 Grand Est (v3)"
    assert [v["year"] for v in updated["vintages"]] == [2010, 2019, 2024]
    assert local(second["name"])["state"] == "deleted"
    assert local(third["name"])["metadata_modified"] == before["metadata_modified"]
    found = call_action("package_search", fq="+dataset_type:ocs")
    assert sorted(r["name"] for r in found["results"]) == sorted([first["name"], third["name"]])

    # Back at the source: the withdrawn record comes back.
    source_site.action("package_patch", id=second["id"], state="active")
    assert job_runner.run_source(source["id"])["stats"]["errored"] == 0
    assert local(second["name"])["state"] == "active"


def test_force_reimports_unchanged_records_after_a_mapping_change(
        source_site, crige_grand_est, national_org):
    other = factories.Organization(name="ge-bis", regions_covered=["44"])
    src_org = source_site.create_crige("geograndest-src", ["44"])
    source_site.create_record(src_org)
    source = harvest_source(source_site.url, national_org["id"],
                            {"organizations": {"geograndest-src": "geograndest"}})
    assert job_runner.run_source(source["id"])["stats"]["added"] == 1
    call_action("harvest_source_patch", context=site_context(), id=source["id"],
                config=json.dumps({"organizations": {"geograndest-src": "ge-bis"}}))

    unforced = job_runner.run_source(source["id"])
    assert unforced["stats"]["updated"] == 0
    assert local(VALID_RECORD["name"])["owner_org"] == crige_grand_est["org"]["id"]

    forced = job_runner.run_source(source["id"], force=True)
    assert (forced["stats"]["updated"], forced["stats"]["errored"]) == (1, 0)
    assert local(VALID_RECORD["name"])["owner_org"] == other["id"]


def test_other_dataset_types_at_the_source_are_ignored(source_site, crige_grand_est,
                                                        national_org):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    source_site.create_record(src_org)
    source_site.action("package_create", type="dataset", name="plain-dataset",
                       title="Not an OCS record", owner_org=src_org["id"])
    source = harvest_source(source_site.url, national_org["id"])

    job = job_runner.run_source(source["id"])

    assert job["stats"]["added"] == 1 and job["stats"]["errored"] == 0
    with pytest.raises(tk.ObjectNotFound):
        call_action("package_show", id="plain-dataset")


def test_harvested_records_are_marked_and_local_editors_cannot_overwrite_them(
        app, source_site, crige_grand_est, national_org, sysadmin):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    source_site.create_record(src_org)
    source = harvest_source(source_site.url, national_org["id"])
    job_runner.run_source(source["id"])
    name = VALID_RECORD["name"]
    editor = crige_grand_est["editor"]["name"]

    page = app.get(f"/ocs/{name}", **as_user(editor))
    assert "ocsregistry-harvested" in page.body and "Fiche moissonnée" in page.body
    assert source["title"] in page.body and source_site.url in page.body
    assert f"/ocs/edit/{name}" not in page.body

    with pytest.raises(tk.NotAuthorized, match="harvested from"):
        call_action("package_patch", context={"user": editor, "ignore_auth": False},
                    id=name, title="Local change")
    with pytest.raises(tk.NotAuthorized, match="harvested from"):
        call_action("package_delete", context={"user": editor, "ignore_auth": False}, id=name)
    with pytest.raises(tk.NotAuthorized):
        call_action("resource_create", context={"user": editor, "ignore_auth": False},
                    package_id=name, url="https://example.org/local.zip", name="Local file")
    app.get(f"/ocs/edit/{name}", **as_user(editor), status=403)
    assert local(name)["title"] == VALID_RECORD["title"]
    # Sysadmins still can (the page warns them that a harvest would undo it).
    call_action("package_patch", context={"user": sysadmin["name"], "ignore_auth": False},
                id=name, notes="Corrigé localement")

    # A local record of the same CRIGE stays editable.
    call_action("package_create", context={"user": editor, "ignore_auth": False},
                **dict(VALID_RECORD, name="local-record", owner_org=crige_grand_est["org"]["id"]))
    call_action("package_patch", context={"user": editor, "ignore_auth": False},
                id="local-record", title="Local change")


def test_two_served_sites_the_cli_and_the_harvest_ui(source_site, crige_grand_est,
                                                     national_org, sysadmin, ckan_config):
    """Both sites as separate processes: the harvest runs in `ckan ocsregistry harvest`,
    the result is read through this site's own HTTP server."""
    src_org = source_site.create_crige("geograndest-src", ["44"])
    source_site.create_record(src_org)
    source = harvest_source(source_site.url, national_org["id"])
    token = call_action("api_token_create", context={"user": sysadmin["name"]},
                        user=sysadmin["name"], name="ui")["token"]

    output = ckan_command(ckan_config["__file__"], dict(os.environ),
                          "ocsregistry", "harvest", source["name"])

    assert "Finished; 1 added, 0 updated, 0 deleted, 0 not modified, 0 errored" in output
    with serve(ckan_config["__file__"]) as here:
        auth = {"Authorization": token}
        jobs = requests.get(f"{here}/api/3/action/harvest_job_list",
                            params={"source_id": source["id"]}, headers=auth).json()["result"]
        assert [j["status"] for j in jobs] == ["Finished"]
        job_page = requests.get(f"{here}/harvest/{source['name']}/job/{jobs[0]['id']}",
                                headers=auth)
        assert job_page.status_code == 200 and jobs[0]["id"] in job_page.text
        record_page = requests.get(f"{here}/ocs/{VALID_RECORD['name']}").text
        assert "Fiche moissonnée" in record_page and source_site.url in record_page
    # The harvest source's dataset list comes from the index (harvest_source_id).
    listed = call_action("package_search", fq=f'+harvest_source_id:"{source["id"]}"')
    assert [r["name"] for r in listed["results"]] == [VALID_RECORD["name"]]


def test_the_cli_exits_with_1_and_prints_errors_when_the_job_had_some(
        cli, crige_grand_est, national_org):
    from ckanext.ocsregistry.cli import ocsregistry

    source = harvest_source("http://127.0.0.1:9", national_org["id"], {"timeout": 2})
    result = cli.invoke(ocsregistry, ["harvest", source["name"]])
    assert result.exit_code == 1
    assert "could not connect" in result.output
    assert cli.invoke(ocsregistry, ["harvest", "no-such-source"]).exit_code != 0
