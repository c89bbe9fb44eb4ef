"""CSRF on ckanext-harvest's routes, on a served site configured as `make run`'s
(``WTF_CSRF_ENABLED = true``, ``ckan.csrf_protection.ignore_extensions = false``),
which the session app cannot be (test.ini turns CSRF off when the app is built).

One CKAN process for the module, on this worker's test database; a logged-in
sysadmin drives it with ``requests`` as a browser would.
"""
from __future__ import annotations

import re

import pytest
import requests
from bs4 import BeautifulSoup
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob

from ..live_site import csrf_checked_ini, serve
from .conftest import harvest_source

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db")]

CSRF_FIELD = "_csrf_token"
PASSWORD = "csrf-live-password"


def csrf_ini(directory, extra: str = "") -> str:
    """test.ini with CSRF checked everywhere (and ``extra`` settings), written in ``directory``."""
    return csrf_checked_ini(tk.config["__file__"], str(directory), extra)


@pytest.fixture(scope="module")
def csrf_site(registry_app, tmp_path_factory):
    """test.ini with CSRF checked everywhere, served in its own process."""
    with serve(csrf_ini(tmp_path_factory.mktemp("csrf"))) as url:
        yield url


def _page_token(html: str) -> str:
    """The token CKAN puts in every page's head, which confirm-action posts."""
    meta = BeautifulSoup(html, "html.parser").select_one(f'meta[name="{CSRF_FIELD}"]')
    assert meta is not None, "no CSRF token in the page's head"
    return meta["content"]


def _form_data(html: str, selector: str = "form") -> dict[str, str]:
    """What a browser would submit of the form, token included."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, selector
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        if field.name == "select":
            # a browser takes the last selected option (ckanext-harvest's edit form
            # marks "No organization" and the source's organisation selected)
            selected = field.select("option[selected]")
            chosen = selected[-1] if selected else field.select_one("option")
            data[field["name"]] = chosen.get("value", "") if chosen else ""
        elif field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                data[field["name"]] = field.get("value", "on")
        elif field.name == "textarea":
            data[field["name"]] = field.text
        else:
            data[field["name"]] = field.get("value", "")
    assert data.get(CSRF_FIELD), f"the form {selector} carries no CSRF token"
    return data


def logged_in_sysadmin(site: str) -> requests.Session:
    """A new sysadmin logged in through the login form (a requests session keeps the cookie)."""
    user = factories.Sysadmin(password=PASSWORD)
    session = requests.Session()
    session.base = site
    form = session.get(f"{site}/user/login")
    done = session.post(f"{site}/user/login", data=dict(
        _form_data(form.text, "form:has(input[name=password])"),
        login=user["name"], password=PASSWORD))
    assert done.ok and "/user/_logout" in done.text, "the login failed"
    return session


@pytest.fixture
def browser(csrf_site):
    session = logged_in_sysadmin(csrf_site)
    yield session
    session.close()


@pytest.fixture
def source():
    org = factories.Organization(name="cnig")
    return harvest_source("http://127.0.0.1:9/registry", org["id"])


def _jobs(source_id: str) -> list[str]:
    model.Session.remove()
    return sorted(j["status"] for j in call_action("harvest_job_list", source_id=source_id))


def _active(source_id: str) -> bool:
    model.Session.remove()
    return call_action("harvest_source_show", id=source_id)["active"]


def _running_job(source_id: str) -> str:
    job = call_action("harvest_job_create", source_id=source_id, run=False)
    HarvestJob.get(job["id"]).status = "Running"
    model.Session.commit()
    return job["id"]


def _state_changing_paths(source: dict, job_id: str) -> list[str]:
    return [f"/harvest/refresh/{source['id']}", f"/harvest/clear/{source['id']}",
            f"/harvest/delete/{source['name']}", f"/harvest/delete/{source['name']}?clear=True",
            f"/harvest/{source['name']}/job/{job_id}/abort"]


def test_posts_without_a_token_change_nothing(browser, source):
    job_id = _running_job(source["id"])
    for path in _state_changing_paths(source, job_id):
        response = browser.post(browser.base + path, allow_redirects=False)
        assert response.status_code in (400, 403), (path, response.status_code)
        assert "CSRF" in response.text, path

    assert _jobs(source["id"]) == ["Running"]
    assert _active(source["id"]) is True


def test_gets_are_refused_with_405(browser, source):
    job_id = _running_job(source["id"])
    for path in _state_changing_paths(source, job_id):
        response = browser.get(browser.base + path, allow_redirects=False)
        assert response.status_code == 405, (path, response.status_code)

    assert _jobs(source["id"]) == ["Running"]
    assert _active(source["id"]) is True


def test_the_source_forms_with_their_token_create_and_edit_the_source(browser):
    org = factories.Organization(name="cnig")
    form = browser.get(f"{browser.base}/harvest/new")
    response = browser.post(f"{browser.base}/harvest/new", data=dict(
        _form_data(form.text, "form#source-new"), url="http://127.0.0.1:9/other", title="Other",
        name="other-registry", source_type="ocsregistry", owner_org=org["id"]))

    assert response.ok, response.text[-2000:]
    model.Session.remove()
    created = call_action("harvest_source_show", id="other-registry")
    assert created["url"] == "http://127.0.0.1:9/other" and created["owner_org"] == org["id"]

    form = browser.get(f"{browser.base}/harvest/edit/other-registry")
    response = browser.post(f"{browser.base}/harvest/edit/other-registry", data=dict(
        _form_data(form.text, "form#source-new"), title="Other, renamed"))
    assert response.ok, response.text[-2000:]
    model.Session.remove()
    assert call_action("harvest_source_show", id="other-registry")["title"] == "Other, renamed"


def test_the_registry_pages_still_answer(browser):
    assert browser.get(f"{browser.base}/ocsregistry/map").status_code == 200
    assert browser.get(f"{browser.base}/ocsregistry/export.csv").status_code == 200


def test_the_admin_buttons_post_with_the_page_token(browser, source):
    """What confirm-action does: a POST carrying the page's token (its meta tag)."""
    admin = browser.get(f"{browser.base}/harvest/admin/{source['name']}")
    token = _page_token(admin.text)
    assert re.search(r'href="/harvest/refresh/[^"]+"[^>]*data-module="confirm-action"', admin.text)

    refreshed = browser.post(f"{browser.base}/harvest/refresh/{source['id']}",
                             data={CSRF_FIELD: token}, allow_redirects=False)
    assert refreshed.status_code == 302
    # sent to the gather queue, hence running (no gather consumer runs here)
    assert _jobs(source["id"]) == ["Running"]

    job_id = call_action("harvest_job_list", source_id=source["id"])[0]["id"]
    admin = browser.get(f"{browser.base}/harvest/admin/{source['name']}")
    stop = f'href="/harvest/{source["name"]}/job/{job_id}/abort" class="btn btn-default"'
    assert stop in admin.text and 'data-module="confirm-action"' in admin.text
    stopped = browser.post(f"{browser.base}/harvest/{source['name']}/job/{job_id}/abort",
                           data={CSRF_FIELD: _page_token(admin.text)}, allow_redirects=False)
    assert stopped.status_code == 302
    assert _jobs(source["id"]) == ["Finished"]

    deleted = browser.post(f"{browser.base}/harvest/delete/{source['name']}",
                           data={CSRF_FIELD: _page_token(admin.text)}, allow_redirects=False)
    assert deleted.status_code == 302
    assert _active(source["id"]) is False


def test_delete_and_clear_posts_clear_the_source(browser, source):
    """"Delete and clear" posts to ckanext-harvest's delete view, which clears the
    source's jobs (and records) before deleting it; CKAN's generic dataset delete,
    which a POST used to reach, deleted the source and kept everything else."""
    _running_job(source["id"])
    page = browser.get(f"{browser.base}/harvest/edit/{source['name']}")
    assert f'/harvest/delete/{source["name"]}?clear=True' in page.text
    deleted = browser.post(f"{browser.base}/harvest/delete/{source['name']}?clear=True",
                           data={CSRF_FIELD: _page_token(page.text)}, allow_redirects=False)
    assert deleted.status_code == 302, deleted.text[-1000:]
    model.Session.remove()
    assert model.Session.query(HarvestJob).filter_by(source_id=source["id"]).count() == 0
