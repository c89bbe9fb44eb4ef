"""CSRF on CKAN's own forms (login, record edit), on a served site that checks it
as `make run`'s does.

CKAN 2.12.0 exempts a view from the CSRF check for good once any request to it
was anonymous or carried an API token (``csrf.exempt(view)`` in its
``ckan_before_request``; 2.11.6 exempts only that request): after one anonymous
visit of an edit form, a logged-in user's POST without token to it was
accepted, a request forged by another site included. The extension refuses
such POSTs on 2.12.0 (``ckanext/ocsregistry/csrf_guard.py``); these tests hold
on 2.11.6 and 2.12.0 alike. Anonymous POSTs (the login form) are exempt on
both versions, by CKAN's design: documented by an expected failure.
"""
from __future__ import annotations

import pytest
import requests
from bs4 import BeautifulSoup
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from .conftest import as_user, record
from .forms import form_fields
from .live_site import csrf_checked_ini, serve

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db")]

CSRF_FIELD = "_csrf_token"
PASSWORD = "Csrf-live-password-1"


@pytest.fixture(scope="module")
def site(registry_app, tmp_path_factory):
    with serve(csrf_checked_ini(tk.config["__file__"], str(tmp_path_factory.mktemp("csrf")))) as url:
        yield url


@pytest.fixture
def editor(app):
    """A CRIGE editor with one record, created through the API with their token."""
    user = factories.User(password=PASSWORD)
    org = factories.Organization(regions_covered=["44"], image_url="",
                                 users=[{"name": user["name"], "capacity": "editor"}])
    created = app.post("/api/3/action/package_create", json=record(owner_org=org["id"]),
                       **as_user(user["name"]))
    assert created.json["success"], created.json
    return {"user": user, "record": created.json["result"]}


def _token(html: str) -> str:
    found = BeautifulSoup(html, "html.parser").find("input", {"name": CSRF_FIELD})
    assert found is not None, "no CSRF token in the form"
    return found["value"]


def _logged_in(site: str, user: dict) -> requests.Session:
    """A browser: the login form posted with its token."""
    browser = requests.Session()
    page = browser.get(f"{site}/user/login")
    done = browser.post(f"{site}/user/login", data={
        "login": user["name"], "password": PASSWORD, CSRF_FIELD: _token(page.text)})
    assert done.ok and "/user/_logout" in done.text, "the login form with its token failed"
    return browser


def _title(name: str) -> str:
    model.Session.remove()
    return model.Package.get(name).title


def _anonymous_visit(url: str) -> None:
    """What exempted a view for good on CKAN 2.12.0 (any visitor's GET)."""
    requests.get(url, timeout=60)


@pytest.mark.xfail(strict=True, reason=(
    "CKAN 2.11.6 and 2.12.0 alike exempt anonymous requests from the CSRF check, the "
    "login form's included (login CSRF); CKAN's design, left as is: the registry's guard "
    "covers what 2.12.0 broke, logged-in users' forms"))
def test_a_login_post_without_token_is_refused(site, editor):
    _anonymous_visit(f"{site}/user/login")
    browser = requests.Session()
    done = browser.post(f"{site}/user/login", data={
        "login": editor["user"]["name"], "password": PASSWORD}, allow_redirects=False)

    assert done.status_code in (400, 403), done.status_code
    assert "CSRF" in done.text
    assert "/user/_logout" not in browser.get(f"{site}/ocs/").text, "logged in without token"


def test_an_edit_post_without_token_is_refused(site, editor):
    name = editor["record"]["name"]
    _anonymous_visit(f"{site}/ocs/edit/{name}")
    browser = _logged_in(site, editor["user"])
    form = form_fields(browser.get(f"{site}/ocs/edit/{name}").text)
    posted = [(k, v) for k, v in form if k not in (CSRF_FIELD, "title")]
    posted += [("title", "Titre forgé"), ("save", "")]

    done = browser.post(f"{site}/ocs/edit/{name}", data=posted, allow_redirects=False)

    assert done.status_code in (400, 403), done.status_code
    assert "CSRF" in done.text
    assert _title(name) == editor["record"]["title"]


def test_the_same_posts_with_their_token_are_accepted(site, editor):
    """The check refuses only what lacks a token: the forms still work."""
    name = editor["record"]["name"]
    _anonymous_visit(f"{site}/ocs/edit/{name}")
    browser = _logged_in(site, editor["user"])
    form = form_fields(browser.get(f"{site}/ocs/edit/{name}").text)
    posted = [(k, v) for k, v in form if k != "title"] + [("title", "Titre modifié"), ("save", "")]

    done = browser.post(f"{site}/ocs/edit/{name}", data=posted, allow_redirects=False)

    assert done.status_code == 302, done.text[-2000:]
    assert _title(name) == "Titre modifié"


def test_api_calls_with_a_token_need_no_csrf_token(site, editor):
    """API clients authenticate with their token header, never with a CSRF token."""
    token = factories.APIToken(user=editor["user"]["name"])["token"]
    done = requests.post(f"{site}/api/3/action/package_patch", headers={"Authorization": token},
                         json={"id": editor["record"]["id"], "title": "Titre par l'API"}, timeout=60)

    assert done.status_code == 200, done.text[-1000:]
    assert _title(editor["record"]["name"]) == "Titre par l'API"
