"""CKAN -> DCAT -> CKAN: ckanext-dcat's RDF harvester with the registry profile."""
from __future__ import annotations

import pytest
import requests
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import restricted
from ckanext.ocsregistry.harvesters import job_runner
from ckanext.ocsregistry.profiles import NOT_CARRIED
from ckanext.ocsregistry.record import DATASET_TYPE

from ..conftest import VALID_RECORD, as_user
from .conftest import harvest_source

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

# Set by the site that stores the record, not carried by any format.
LOCAL = {"id", "name", "owner_org", "metadata_created", "metadata_modified", "organization",
         "creator_user_id", "num_resources", "num_tags", "state", "private", "type", "extras",
         "resources", "tags", "groups", "relationships_as_object", "relationships_as_subject",
         "isopen", "url", "version", "author", "author_email",
         "maintainer", "maintainer_email"}


# a note, and a planned vintage after the last available one
VINTAGES = [{"year": 2010, "status": "available"},
            {"year": 2019, "status": "available", "note": "tous les départements"},
            {"year": 2025, "status": "planned", "note": "prévu"}]


def dcat_source(url: str, owner_org: str) -> dict:
    return harvest_source(url, owner_org, name="registre-dcat", source_type="dcat_rdf")


def test_a_record_survives_the_dcat_round_trip_except_the_listed_fields(
        source_site, crige_grand_est):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    sent = source_site.create_record(src_org, former_region_codes=["42", "21"],
                                     license_id="odc-odbl", update_frequency="TRIENNIAL",
                                     vintages=VINTAGES)
    sent = source_site.action("package_show", id=sent["id"])  # as the source's sysadmin
    # its DCAT description is generated from the card: not stored as notes here
    source_site.create_record(src_org, name="sans-notes", title="OCS sans notes", notes="")
    source = dcat_source(source_site.url + "/catalog.ttl", crige_grand_est["org"]["id"])

    job = job_runner.run_source(source["id"])

    assert job["stats"]["added"] == 2 and job["stats"]["errored"] == 0, job["object_error_summary"]
    found = call_action("package_search", fq=f"+dataset_type:{DATASET_TYPE}")["results"]
    by_title = {r["title"]: r for r in found}
    assert set(by_title) == {sent["title"], "OCS sans notes"}
    assert not call_action("package_show", id=by_title["OCS sans notes"]["id"]).get("notes")
    back = call_action("package_show", id=by_title[sent["title"]]["id"])
    assert back["owner_org"] == crige_grand_est["org"]["id"]

    hidden = set(restricted.fields(DATASET_TYPE))
    lost = sorted(k for k in sent if k not in LOCAL and sent.get(k) != back.get(k))
    # Not carried but back equal, being the defaults: funding_visibility
    # ("restricted") and review_frequency_months (12).
    expected = sorted(k for k in NOT_CARRIED | hidden if sent.get(k)
                      and k not in ("funding_visibility", "review_frequency_months"))
    assert lost == expected, {k: (sent.get(k), back.get(k)) for k in set(lost) ^ set(expected)}
    assert back["vintages"] == sent["vintages"] == VINTAGES
    assert (back["license_id"], back["license_title"]) == ("odc-odbl", sent["license_title"])
    assert back["update_frequency"] == "TRIENNIAL"
    assert back["notes"] == sent["notes"]
    assert back["former_region_codes"] == ["21", "42"]
    assert back["data_url"] == VALID_RECORD["data_url"]
    for field in hidden:
        assert not back.get(field)


def test_an_unreadable_rdf_source_is_reported_and_changes_nothing(
        app, scripted_source, source_site, crige_grand_est, sysadmin):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    source_site.create_record(src_org)
    answer = {"now": None}
    with_catalog = source_site.url + "/catalog.ttl"

    def respond(path):
        if answer["now"]:
            return answer["now"]
        body = requests.get(with_catalog, timeout=30).text
        return 200, "text/turtle", body, 0.0

    server = scripted_source(respond)
    source = dcat_source(server.url + "/catalog.ttl", crige_grand_est["org"]["id"])
    assert job_runner.run_source(source["id"])["stats"]["added"] == 1
    record = call_action("package_search", fq=f"+dataset_type:{DATASET_TYPE}")["results"][0]

    answer["now"] = (200, "text/turtle", "@prefix dcat: <http://www.w3.org/ns/dcat#> . <a> dcat:x", 0)
    job = job_runner.run_source(source["id"])

    assert job["status"] == "Finished"
    messages = [row["message"] for row in job["gather_error_summary"]]
    assert any("Error parsing the RDF file" in m for m in messages), messages
    after = call_action("package_show", id=record["id"])
    assert after["state"] == "active" and after["metadata_modified"] == record["metadata_modified"]
    page = app.get(f"/harvest/{source['name']}/job/{job['id']}",
                   **as_user(sysadmin["name"])).body
    assert "Error parsing the RDF file" in page


@pytest.mark.ckan_config("ckanext.ocsregistry.dcat_harvest_timeout", "1")
def test_a_slow_rdf_source_is_reported_as_such(scripted_source, crige_grand_est):
    server = scripted_source(lambda path: (200, "text/turtle", "", 3.0))
    source = dcat_source(server.url + "/catalog.ttl", crige_grand_est["org"]["id"])

    job = job_runner.run_source(source["id"])

    assert job["status"] == "Finished"
    messages = [row["message"] for row in job["gather_error_summary"]]
    assert any("timed out" in m or "Read timed out" in m for m in messages), messages


def test_dcat_records_go_to_the_crige_of_their_region_and_bad_ones_are_reported(
        app, scripted_source, source_site, crige_grand_est, crige_occitanie, sysadmin):
    src_ge = source_site.create_crige("geograndest-src", ["44"])
    src_oc = source_site.create_crige("openig-src", ["76"])
    source_site.create_record(src_ge)
    source_site.create_record(src_oc, name="ocsid", title="OCSID", region_code="76")

    catalogue = requests.get(source_site.url + "/catalog.ttl", timeout=30).text
    # Occitanie's record now names a region code INSEE does not have.
    broken = catalogue.replace("http://id.insee.fr/geo/region/76", "http://id.insee.fr/geo/region/99")
    server = scripted_source(lambda path: (200, "text/turtle", broken, 0.0))
    national = factories.Organization(name="cnig")
    source = dcat_source(server.url + "/catalog.ttl", national["id"])

    job = job_runner.run_source(source["id"])

    assert job["status"] == "Finished"
    assert (job["stats"]["added"], job["stats"]["errored"]) == (1, 1), job["object_error_summary"]
    message = job["object_error_summary"][0]["message"]
    assert "Region code" in message and "99" in message, message
    found = call_action("package_search", fq=f"+dataset_type:{DATASET_TYPE}")["results"]
    assert [(r["title"], r["owner_org"]) for r in found] == [
        (VALID_RECORD["title"], crige_grand_est["org"]["id"])]
    page = app.get(f"/harvest/{source['name']}/job/{job['id']}",
                   **as_user(sysadmin["name"])).body
    assert "Region code" in page and "99" in page
