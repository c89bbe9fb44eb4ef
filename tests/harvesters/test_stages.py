"""The registry harvester stage by stage, as ckanext-harvest's own harvester tests
do: a job, then gather, fetch and import called one after the other, against a
scripted source on loopback (no second CKAN, no queues)."""
from __future__ import annotations

import json

import pytest
from ckan import model, plugins
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.ocsregistry import restricted

from .conftest import harvest_source, package_search_body, site_context
from .test_faults import JSON, remote_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def harvester():
    return plugins.get_plugin("ocsregistry_harvester")


@pytest.fixture
def source(scripted_source, crige_grand_est):
    records = {"list": [remote_record()]}
    server = scripted_source(lambda path: (200, JSON, package_search_body(records["list"]), 0.0))
    owner = factories.Organization(name="cnig")
    created = harvest_source(server.url, owner["id"])
    return {"dict": created, "records": records, "server": server}


def _job(source: dict) -> HarvestJob:
    job = call_action("harvest_job_create", context=site_context(), source_id=source["dict"]["id"])
    return HarvestJob.get(job["id"])


def _objects(ids: list[str]) -> list[HarvestObject]:
    return [HarvestObject.get(i) for i in ids]


def test_gather_makes_one_object_per_record_in_one_request(harvester, source):
    ids = harvester.gather_stage(_job(source))
    assert len(ids) == 1
    obj = HarvestObject.get(ids[0])
    assert json.loads(obj.content)["name"] == source["records"]["list"][0]["name"]
    assert [e.value for e in obj.extras if e.key == "status"] == ["new"]
    assert len(source["server"].requests) == 1
    assert "package_search" in source["server"].requests[0]


def test_fetch_accepts_a_record_and_refuses_what_is_not_one(harvester, source):
    obj = _objects(harvester.gather_stage(_job(source)))[0]
    assert harvester.fetch_stage(obj) is True
    obj.content = "[1, 2]"
    assert harvester.fetch_stage(obj) is False
    assert "not a JSON object" in obj.errors[-1].message


def test_import_creates_the_record_in_the_crige_of_its_region(harvester, source, crige_grand_est):
    obj = _objects(harvester.gather_stage(_job(source)))[0]
    assert harvester.fetch_stage(obj)
    assert harvester.import_stage(obj) is True
    model.Session.remove()
    local = call_action("package_show", id=source["records"]["list"][0]["name"])
    assert local["owner_org"] == crige_grand_est["org"]["id"]
    assert local["vintages"] == source["records"]["list"][0]["vintages"]
    assert not any(restricted.with_values(local).get(f) for f in restricted.fields())


def _finish(job: HarvestJob) -> None:
    job.status = "Finished"
    job.save()


def test_an_unchanged_record_is_not_gathered_again(harvester, source):
    job = _job(source)
    first = _objects(harvester.gather_stage(job))[0]
    assert harvester.fetch_stage(first) and harvester.import_stage(first) is True
    _finish(job)
    job = _job(source)
    assert harvester.gather_stage(job) == []
    _finish(job)
    source["records"]["list"][0]["metadata_modified"] = "2026-06-01T10:00:00.000000"
    changed = _objects(harvester.gather_stage(_job(source)))
    assert [[e.value for e in o.extras if e.key == "status"] for o in changed] == [["change"]]
