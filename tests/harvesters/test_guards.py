"""Guards around harvesting, through the session app (CSRF off, see test_guards_live.py):
the bulk actions of an organisation leave harvested records alone, ckanext-harvest's
routes that change state refuse GET, and only sysadmins create organisations."""
from __future__ import annotations

import configparser
import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob
from sqlalchemy import event

from ckanext.ocsregistry.harvesters import harvest_status, job_runner

from ..conftest import as_user, create_record
from .conftest import harvest_source, package_search_body, site_context
from .test_faults import JSON, remote_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def harvested(scripted_source, crige_grand_est):
    """Two records harvested into GéoGrandEst from a scripted source, and one local record."""
    remote = [remote_record(name="ocs-harvested-1"), remote_record(name="ocs-harvested-2")]
    server = scripted_source(lambda path: (200, JSON, package_search_body(remote), 0.0))
    source = harvest_source(server.url, factories.Organization(name="cnig")["id"])
    job = job_runner.run_source(source["id"])
    assert job["stats"]["added"] == 2, job
    local = create_record(crige_grand_est, name="ocs-local", title="OCS locale")
    return {
        "source": source,
        "records": [call_action("package_show", id=r["name"]) for r in remote],
        "local": local,
        "org": crige_grand_est["org"],
        "admin": crige_grand_est["admin"]["name"],
    }


def _bulk(app, action: str, user: str, org_id: str, ids: list[str], status: int):
    return app.post(f"/api/3/action/{action}", json={"datasets": ids, "org_id": org_id},
                    status=status, **as_user(user))


def _state(name: str) -> tuple[bool, str]:
    shown = call_action("package_show", id=name)
    return shown["private"], shown["state"]


def _make_private(ident: str) -> None:
    call_action("package_patch", context=site_context(), id=ident, private=True)


BULK_ACTIONS = ["bulk_update_private", "bulk_update_public", "bulk_update_delete"]


@pytest.mark.parametrize("action", BULK_ACTIONS)
def test_bulk_actions_refuse_lists_holding_harvested_records(app, harvested, action):
    if action == "bulk_update_public":  # so that making them public would change something
        for r in harvested["records"] + [harvested["local"]]:
            _make_private(r["id"])
    names = [r["name"] for r in harvested["records"]] + [harvested["local"]["name"]]
    before = {name: _state(name) for name in names}

    response = _bulk(app, action, harvested["admin"], harvested["org"]["id"],
                     [r["id"] for r in harvested["records"]] + [harvested["local"]["id"]], 403)

    message = response.json["error"]["message"]
    assert "ocs-harvested-1" in message and "ocs-harvested-2" in message
    assert "ocs-local" not in message
    assert harvested["source"]["title"] in message and harvested["source"]["url"] in message
    assert {name: _state(name) for name in names} == before


@pytest.mark.parametrize("action, expected", [
    ("bulk_update_private", (True, "active")),
    ("bulk_update_public", (False, "active")),
    ("bulk_update_delete", (False, "deleted")),
])
def test_bulk_actions_still_change_local_records(app, harvested, action, expected):
    local = harvested["local"]["name"]
    if action == "bulk_update_public":
        _make_private(local)
    _bulk(app, action, harvested["admin"], harvested["org"]["id"], [harvested["local"]["id"]], 200)
    model.Session.remove()
    assert _state(local) == expected
    assert _state("ocs-harvested-1") == (False, "active")


def test_bulk_actions_keep_refusing_other_organisations_editors(app, harvested, crige_occitanie):
    # CKAN's own check comes first, and says nothing of harvested records.
    response = _bulk(app, "bulk_update_delete", crige_occitanie["editor"]["name"],
                     harvested["org"]["id"], [harvested["records"][0]["id"]], 403)
    assert "harvested" not in response.json["error"]["message"]
    assert _state("ocs-harvested-1") == (False, "active")


def test_the_harvest_status_of_many_records_takes_one_query(harvested):
    ids = [r["id"] for r in harvested["records"]] + [harvested["local"]["id"]]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = model.Session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        infos = harvest_status.harvest_infos(ids)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert sorted(i["name"] for i in infos.values()) == ["ocs-harvested-1", "ocs-harvested-2"]
    assert {i["source_id"] for i in infos.values()} == {harvested["source"]["id"]}
    assert len([s for s in statements if "harvest_object" in s]) == 1, statements
    assert harvest_status.harvest_info(harvested["local"]["id"]) is None


# --- ckanext-harvest's routes: no state change on GET ----------------------------

@pytest.fixture
def running_job(harvested):
    """The source's job, marked running (what the Stop button is shown for)."""
    job = call_action("harvest_job_create", context={"user": harvested["admin"]},
                      source_id=harvested["source"]["id"], run=False)
    HarvestJob.get(job["id"]).status = "Running"
    model.Session.commit()
    return job


def _jobs(source_id: str) -> list[str]:
    model.Session.remove()
    return sorted(j["status"] for j in call_action("harvest_job_list", source_id=source_id))


def test_get_on_harvest_routes_that_change_state_is_refused(app, harvested, running_job,
                                                           sysadmin):
    source = harvested["source"]
    for path in (f"/harvest/delete/{source['name']}", f"/harvest/delete/{source['name']}?clear=1",
                 f"/harvest/refresh/{source['id']}", f"/harvest/clear/{source['id']}",
                 f"/harvest/{source['name']}/job/{running_job['id']}/abort"):
        app.get(path, status=405, **as_user(sysadmin["name"]))
        app.test_client().head(path, status=405, **as_user(sysadmin["name"]))

    assert _jobs(source["id"]) == ["Finished", "Running"]
    assert call_action("harvest_source_show", id=source["id"])["active"] is True
    assert call_action("package_show", id="ocs-harvested-1")["state"] == "active"
    # reading pages still works
    app.get(f"/harvest/admin/{source['name']}", status=200, **as_user(sysadmin["name"]))
    app.get(f"/harvest/{source['name']}/job/{running_job['id']}", status=200,
            **as_user(sysadmin["name"]))


def test_the_stop_button_posts_the_job_abort(app, harvested, running_job, sysadmin):
    source = harvested["source"]
    abort = f"/harvest/{source['name']}/job/{running_job['id']}/abort"
    page = BeautifulSoup(app.get(f"/harvest/admin/{source['name']}",
                                 **as_user(sysadmin["name"])).body, "html.parser")
    button = page.select_one(f'a[href="{abort}"]')
    assert button is not None and button["data-module"] == "confirm-action"

    app.post(abort, status=302, follow_redirects=False, **as_user(sysadmin["name"]))
    assert _jobs(source["id"]) == ["Finished", "Finished"]


def test_the_registry_own_routes_accept_no_post(app):
    # They only read; a POST route of this extension would need its own guard.
    rules = [r for r in app.flask_app.url_map.iter_rules()
             if r.endpoint.split(".")[0] in ("ocsregistry", "ocsregistry_harvester")]
    assert rules
    changing = {r.endpoint for r in rules if r.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    assert changing == {"ocsregistry_harvester.job_abort", "ocsregistry_harvester.delete"}


# --- organisations: sysadmins only on the make run site --------------------------

def _make_run_config(tmp_path) -> configparser.RawConfigParser:
    """The ckan.ini devstack/stack.sh writes for `make run`, in a scratch state folder."""
    import ckan

    # this virtualenv, under the names stack.sh gives the default version's and another's
    venv = os.path.dirname(os.path.dirname(sys.executable))
    os.symlink(venv, tmp_path / "venv")
    os.symlink(venv, tmp_path / f"venv-{ckan.__version__}")
    subprocess.run(["bash", os.path.join(ROOT, "devstack", "stack.sh"), "config"], check=True,
                   env=dict(os.environ, OCSREGISTRY_STATE=str(tmp_path),
                            CKAN_VERSION=ckan.__version__),
                   capture_output=True, timeout=120)
    parser = configparser.RawConfigParser(strict=False)
    parser.read(tmp_path / "ckan.ini")
    return parser


@pytest.mark.live  # runs devstack/stack.sh config (two ckan commands)
def test_the_make_run_site_checks_csrf_and_keeps_organisations_to_sysadmins(
        app, ckan_config, tmp_path, sysadmin):
    site = _make_run_config(tmp_path)["app:main"]
    assert tk.asbool(site["WTF_CSRF_ENABLED"]) is True
    assert tk.asbool(site["ckan.csrf_protection.ignore_extensions"]) is False
    ckan_config["ckan.auth.user_create_organizations"] = tk.asbool(
        site["ckan.auth.user_create_organizations"])
    user = factories.User()

    app.post("/api/3/action/organization_create", json={"name": "my-own-crige"}, status=403,
             **as_user(user["name"]))

    with pytest.raises(tk.ObjectNotFound):
        call_action("organization_show", id="my-own-crige")
    app.post("/api/3/action/organization_create", json={"name": "crige-by-sysadmin"},
             status=200, **as_user(sysadmin["name"]))
