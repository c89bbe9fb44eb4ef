"""A harvest source created in the web UI, or reharvested with its button, runs
to completion with no command typed: the production set-up's background
processes (devstack/production/supervisord.conf.in) do the work.

The site is served by gunicorn with the production settings and CSRF checked,
as `make run` serves it; beside it run, as subprocesses on the same test
database and Redis db, CKAN's jobs worker, ckanext-harvest's gather and fetch
consumers, and the periodic task of devstack/production/periodic.crontab that
runs the harvest jobs, fired through the scheduler as its timer would.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import pytest
import requests
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ..conftest import VALID_RECORD
from ..live_site import CKAN, PRODUCTION, serve
from .test_guards_live import (CSRF_FIELD, _form_data, _page_token, csrf_ini,
                               logged_in_sysadmin)

pytestmark = [pytest.mark.live,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

CRONTAB = os.path.join(PRODUCTION, "periodic.crontab")
SCHEDULER = os.path.join(PRODUCTION, "scheduler.py")
HARVEST_RUN = "ckan harvester run"


@pytest.fixture(scope="module")
def production_ini(registry_app, tmp_path_factory):
    """test.ini as `make run` configures the site: CSRF checked, harvest queues in Redis."""
    return csrf_ini(tmp_path_factory.mktemp("production"), "ckan.harvest.mq.type = redis\n")


@pytest.fixture(scope="module")
def production_site(production_ini):
    with serve(production_ini, workers=2) as url:
        yield url


class Background:
    """The supervised programs, as subprocesses; their output kept for failures."""

    PROGRAMS = {"jobs": ["jobs", "worker"],
                "harvest-gather": ["harvester", "gather-consumer"],
                "harvest-fetch": ["harvester", "fetch-consumer"]}

    def __init__(self, ini: str):
        self.env = dict(os.environ, CKAN_INI=ini,
                        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        self.logs = {name: tempfile.TemporaryFile() for name in self.PROGRAMS}
        self.procs = {name: subprocess.Popen([CKAN, *args], env=self.env, stdout=self.logs[name],
                                             stderr=subprocess.STDOUT)
                      for name, args in self.PROGRAMS.items()}

    def periodic(self) -> None:
        """The scheduler's periodic harvest run, fired now (as its timer would)."""
        done = subprocess.run([sys.executable, SCHEDULER, CRONTAB, "--now", HARVEST_RUN],
                              env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def output(self) -> str:
        text = []
        for name, log in self.logs.items():
            log.seek(0)
            text.append(f"--- {name}:\n{log.read().decode(errors='replace')[-1500:]}")
        return "\n".join(text)

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def background(production_ini):
    programs = Background(production_ini)
    yield programs
    programs.stop()


@pytest.fixture
def sysadmin_browser(production_site):
    session = logged_in_sysadmin(production_site)
    yield session
    session.close()


def _jobs(source_id: str) -> list[dict]:
    model.Session.remove()
    return call_action("harvest_job_list", source_id=source_id)


def wait_for_finished_job(background: Background, source_id: str, known: int = 0,
                          seconds: int = 150) -> dict:
    """Fire the periodic run every few seconds until a new job of the source is finished."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, proc in background.procs.items():
            assert proc.poll() is None, f"{name} died:\n{background.output()}"
        background.periodic()
        jobs = _jobs(source_id)
        finished = [j for j in jobs if j["status"] == "Finished"]
        if len(finished) > known:
            return max(finished, key=lambda j: j["created"])
        time.sleep(3)
    pytest.fail(f"no job finished in {seconds} s: {_jobs(source_id)}\n{background.output()}")


def test_a_source_created_in_the_web_form_harvests_by_itself_and_reharvests_with_its_button(
        source_site, production_site, sysadmin_browser, background, crige_grand_est):
    src_org = source_site.create_crige("geograndest-src", ["44"])
    remote = source_site.create_record(src_org)
    national = factories.Organization(name="cnig", title="CNIG")

    form = sysadmin_browser.get(f"{production_site}/harvest/new")
    created = sysadmin_browser.post(f"{production_site}/harvest/new", data=dict(
        _form_data(form.text, "form#source-new"), url=source_site.url, title="Registre source",
        name="registre-source", source_type="ocsregistry", owner_org=national["id"],
        frequency="DAILY"))
    assert created.ok, created.text[-2000:]
    model.Session.remove()
    source = call_action("harvest_source_show", id="registre-source")
    assert _jobs(source["id"]) == []

    # No command: the periodic run starts the job of the due source, the consumers do it.
    job = wait_for_finished_job(background, source["id"])
    assert job["stats"]["added"] == 1 and job["stats"]["errored"] == 0, job
    page = requests.get(f"{production_site}/ocs/{VALID_RECORD['name']}", timeout=30)
    assert page.status_code == 200 and remote["title"] in page.text
    found = requests.get(f"{production_site}/api/3/action/package_search",
                         params={"q": f"name:{VALID_RECORD['name']}"}, timeout=30).json()
    assert found["result"]["count"] == 1
    assert found["result"]["results"][0]["owner_org"] == crige_grand_est["org"]["id"]

    # Changed at the source, then the admin page's "Reharvest" button (confirm-action
    # posts the page's token): done in the background again.
    source_site.action("package_patch", id=remote["id"], title="OCS GE2 Grand Est, révisée")
    admin = sysadmin_browser.get(f"{production_site}/harvest/admin/registre-source")
    refreshed = sysadmin_browser.post(f"{production_site}/harvest/refresh/{source['id']}",
                                      data={CSRF_FIELD: _page_token(admin.text)},
                                      allow_redirects=False)
    assert refreshed.status_code == 302
    job = wait_for_finished_job(background, source["id"], known=1)
    assert job["stats"]["updated"] == 1 and job["stats"]["errored"] == 0, job
    page = requests.get(f"{production_site}/ocs/{VALID_RECORD['name']}", timeout=30)
    assert "OCS GE2 Grand Est, révisée" in page.text
    assert background.procs["jobs"].poll() is None, background.output()
