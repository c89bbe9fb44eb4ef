"""A source that is down, slow, answers HTML, bad JSON or records the schema refuses:
the job finishes, each problem is reported (harvest UI included), and nothing here changes."""
from __future__ import annotations

import json
import uuid

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.ocsregistry.harvesters import job_runner

from ..conftest import as_user, record
from .conftest import harvest_source, package_search_body

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

JSON = "application/json"


def remote_record(**overrides) -> dict:
    data = record(**overrides)
    data.setdefault("id", str(uuid.uuid4()))
    data.update(type="ocs", organization={"name": "geograndest-src"}, resources=[],
                metadata_modified=overrides.get("metadata_modified", "2026-01-01T10:00:00.000000"))
    return data


@pytest.fixture
def harvested(scripted_source, crige_grand_est, sysadmin):
    """One record harvested from a scripted source whose answers the test then changes."""
    good = remote_record()
    answer = {"now": (200, JSON, package_search_body([good]), 0.0)}
    server = scripted_source(lambda path: answer["now"])
    owner = factories.Organization(name="cnig")
    source = harvest_source(server.url, owner["id"], {"timeout": 1})
    job = job_runner.run_source(source["id"])
    assert job["stats"]["added"] == 1, job
    before = call_action("package_show", id=good["name"])
    return {"server": server, "answer": answer, "source": source, "record": good,
            "before": before, "sysadmin": sysadmin}


def assert_unchanged(harvested) -> None:
    after = call_action("package_show", id=harvested["record"]["name"])
    assert after["state"] == "active"
    assert after["metadata_modified"] == harvested["before"]["metadata_modified"]
    assert after["title"] == harvested["before"]["title"]


def error_messages(job: dict) -> list[str]:
    return [row["message"] for row in
            job["gather_error_summary"] + job["object_error_summary"]]


def job_page(app, harvested, job) -> str:
    return app.get(f"/harvest/{harvested['source']['name']}/job/{job['id']}",
                   **as_user(harvested["sysadmin"]["name"])).body


@pytest.mark.parametrize("answer, expected", [
    ((200, "text/html", "<!DOCTYPE html><html><body>Portail</body></html>", 0.0),
     "returned an HTML page instead of CKAN API JSON"),
    ((502, "text/html", "<html><body>Bad gateway</body></html>", 0.0), "HTTP 502"),
    ((200, JSON, '{"success": true, "result": {"count": 1, "results": [', 0.0), "invalid JSON"),
    ((200, JSON, '{"hello": "world"}', 0.0), "JSON is not a CKAN API answer"),
    ((200, JSON, json.dumps({"success": True, "result": {"count": 3}}), 0.0),
     "package_search answer without a results list"),
    ((200, JSON, package_search_body([]), 3.0), "no answer within 1 s"),
    ("shifting", "the source changed while it was listed"),
], ids=["html", "html-502", "invalid-json", "not-ckan", "no-results", "slow", "shifting"])
def test_a_bad_answer_is_reported_and_changes_nothing(app, harvested, answer, expected):
    if answer == "shifting":  # every page repeats the first: records were missed
        other = remote_record(name="ocs-other")
        answer = (200, JSON, json.dumps({"success": True, "result": {
            "count": 3, "results": [other]}}), 0.0)
    harvested["answer"]["now"] = answer

    job = job_runner.run_source(harvested["source"]["id"])

    assert job["status"] == "Finished"
    messages = error_messages(job)
    assert any(expected in m and "Nothing was changed" in m for m in messages), messages
    assert job["stats"]["deleted"] == 0
    assert_unchanged(harvested)
    assert expected in job_page(app, harvested, job)


def test_a_source_that_is_down_is_reported_and_changes_nothing(app, harvested):
    harvested["server"].close()

    job = job_runner.run_source(harvested["source"]["id"])

    assert job["status"] == "Finished"
    assert any("could not connect (Connection refused)" in m for m in error_messages(job))
    assert_unchanged(harvested)
    assert "Connection refused" in job_page(app, harvested, job)


def test_records_the_schema_refuses_are_reported_one_by_one(app, harvested):
    changed_bad = dict(harvested["record"], region_code="99", title="Changed but invalid",
                       metadata_modified="2026-02-01T10:00:00.000000")
    new_bad = remote_record(name="ocs-bad-vintage", title="Bad vintage",
                            vintages=[{"year": "vers 2015", "status": "available"}])
    new_good = remote_record(name="ocs-ge-2000", title="OCS GE 2000")
    harvested["answer"]["now"] = (200, JSON, package_search_body([changed_bad, new_bad, new_good]),
                                  0.0)

    job = job_runner.run_source(harvested["source"]["id"])

    assert job["status"] == "Finished"
    assert (job["stats"]["added"], job["stats"]["errored"]) == (1, 2), job
    messages = error_messages(job)
    assert any(f'"{changed_bad["name"]}" refused by the schema:' in m
               and "region_code: 99 is not an INSEE region code" in m for m in messages), messages
    assert any('"ocs-bad-vintage" refused by the schema: vintages 1 year' in m
               for m in messages), messages
    assert_unchanged(harvested)
    assert call_action("package_show", id="ocs-ge-2000")["title"] == "OCS GE 2000"
    with pytest.raises(tk.ObjectNotFound):
        call_action("package_show", id="ocs-bad-vintage")
    assert "refused by the schema: vintages 1 year" in job_page(app, harvested, job)


def test_a_bad_source_configuration_names_the_key(crige_grand_est):
    owner = factories.Organization(name="cnig")
    with pytest.raises(tk.ValidationError, match="page_size"):
        harvest_source("http://127.0.0.1:9", owner["id"], {"page_size": 0})
    with pytest.raises(tk.ValidationError, match="no organisation named"):
        harvest_source("http://127.0.0.1:9", owner["id"], {"organizations": {"a": "nowhere"}})
    with pytest.raises(tk.ValidationError, match="unknown key"):
        harvest_source("http://127.0.0.1:9", owner["id"], {"timeut": 3})
