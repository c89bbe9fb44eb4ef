"""Confidentiality matrix: funding and price values never leave their CRIGE.

Each write path below puts unique markers in the four restricted fields of
one record, the way its users make that write: a logged-in editor posting the
edit form with its CSRF token, API calls with an editor's, a CRIGE admin's and
a sysadmin's token, the CLI import, a harvest, and a record switched from
public to restricted. Then every channel is read as an anonymous visitor and
as another CRIGE's editor, and must hold none of the markers; the derived
stores (Solr, Redis digests, activity rows, package extras) are read directly.
The owning CRIGE's editor, a plain member and a sysadmin do see the values
where they should.

Reads go through the CKAN application over WSGI (CKAN's test client), where
CKAN fills ``context['user']`` in every action as it does in production.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import string
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import redis
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib.search.common import make_connection
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import CKANCliRunner, _get_test_app
from werkzeug.datastructures import MultiDict

from ckanext.ocsregistry import extras
from ckanext.ocsregistry.record import schema_fields
from ckanext.ocsregistry.table import columns
from ckanext.ocsregistry.harvesters import job_runner

from .conftest import record
from .forms import form_fields as _form_fields
from .conftest import ensure_plugin_tables, harvest_source

pytestmark = pytest.mark.live  # a second CKAN process, a browser or a subprocess

PASSWORD = "Correct-horse-123"  # given to every user of the world below
RESTRICTED = ("amo_price", "production_price", "funders", "funding_details")


# --------------------------------------------------------------------------
# The world: two CRIGEs, their users, one record per write path
# --------------------------------------------------------------------------

@dataclass
class Written:
    """One record written by one path, with the markers it must keep secret."""
    path: str
    name: str
    id: str = ""
    markers: dict[str, str] = field(default_factory=dict)

    def fields(self) -> dict[str, str]:
        return dict(self.markers)


@dataclass
class World:
    app: Any
    owner_org: dict
    other_org: dict
    users: dict[str, dict]  # role -> user dict, with "token"
    written: dict[str, Written] = field(default_factory=dict)
    source: Any = None  # the second registry site, harvested from


def _markers() -> dict[str, str]:
    """Single search tokens (lower-case letters only: Solr's word delimiter
    would split mixed tokens and match parts of other fields)."""
    def letters() -> str:
        return "".join(random.choice(string.ascii_lowercase) for _ in range(12))
    amo = random.randint(10**8, 4 * 10**8)  # 9 digits, under the fields' maximum (10**9)
    return {"amo_price": str(amo), "production_price": str(amo + 5 * 10**8),
            "funders": f"fundermark{letters()}", "funding_details": f"detailmark{letters()}"}


def _variants(value: str) -> list[str]:
    """A marker and the ways a page could format it (numbers grouped by thousands)."""
    if not value.isdigit():
        return [value]
    grouped = f"{int(value):,}"
    return [value, grouped, *(grouped.replace(",", sep) for sep in (" ", "\u00a0", "\u202f", "."))]


def _api(app, action: str, token: str | None = None, status: int = 200, **data) -> Any:
    headers = {"Authorization": token} if token else {}
    response = app.post(f"/api/3/action/{action}", json=data, headers=headers, status=status)
    body = response.json
    assert body["success"] is (status == 200), f"{action}: {body.get('error')}"
    return body.get("result")


def _base_record(org: dict, name: str, **overrides) -> dict:
    data = record(owner_org=org["id"], name=name, title=f"Base {name}", **overrides)
    for key in RESTRICTED:
        data.pop(key, None)
    return data


def _login(app, user: dict):
    """A browser-like session: the login form posted with its CSRF token."""
    client = app.test_client()
    page = client.get("/user/login")
    token = _csrf(page.get_data(as_text=True))
    done = client.post("/user/login", data={"login": user["name"], "password": PASSWORD,
                                            "_csrf_token": token}, follow_redirects=True)
    assert done.status_code == 200 and "/user/_logout" in done.get_data(as_text=True), \
        "the editor could not log in through the login form"
    return client


def _csrf(html: str) -> str:
    found = BeautifulSoup(html, "html.parser").find("input", {"name": "_csrf_token"})
    assert found is not None, "no CSRF token in the form"
    return found["value"]


def _form_errors(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    summary = soup.select(".error-explanation, .alert-error, .alert-danger, .error-block")
    return " | ".join(" ".join(e.get_text(" ").split()) for e in summary) or html[:2000]


def write_web_form(world: World, w: Written) -> None:
    editor = world.users["editor"]
    created = _api(world.app, "package_create", editor["token"],
                   **_base_record(world.owner_org, w.name))
    w.id = created["id"]
    client = _login(world.app, editor)
    page = client.get(f"/ocs/edit/{w.name}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    posted = [(k, v) for k, v in _form_fields(html) if k not in w.markers]
    posted += list(w.markers.items()) + [("save", "")]
    done = client.post(f"/ocs/edit/{w.name}", data=MultiDict(posted), follow_redirects=False)
    assert done.status_code == 302, _form_errors(done.get_data(as_text=True))


def write_api_editor(world: World, w: Written) -> None:
    created = _api(world.app, "package_create", world.users["editor"]["token"],
                   **_base_record(world.owner_org, w.name), **w.markers)
    w.id = created["id"]


def write_api_admin(world: World, w: Written) -> None:
    created = _api(world.app, "package_create", world.users["editor"]["token"],
                   **_base_record(world.owner_org, w.name))
    w.id = created["id"]
    token = world.users["admin"]["token"]
    shown = _api(world.app, "package_show", token, id=w.id)
    _api(world.app, "package_update", token, **dict(shown, **w.markers))


def write_api_sysadmin(world: World, w: Written) -> None:
    created = _api(world.app, "package_create", world.users["editor"]["token"],
                   **_base_record(world.owner_org, w.name))
    w.id = created["id"]
    _api(world.app, "package_patch", world.users["sysadmin"]["token"], id=w.id, **w.markers)


def write_cli_import(world: World, w: Written) -> None:
    created = _api(world.app, "package_create", world.users["editor"]["token"],
                   **_base_record(world.owner_org, w.name))
    w.id = created["id"]
    wanted = [columns.find_column(n, "fr") for n in ("name", *RESTRICTED)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([c.header for c in wanted])
    writer.writerow([w.name] + [w.markers[n] for n in RESTRICTED])
    path = f"/tmp/ocsregistry-confidentiality-{w.name}.csv"
    with open(path, "w", encoding="utf-8-sig") as f:
        f.write(out.getvalue())
    runner = CKANCliRunner(env={"CKAN_INI": tk.config["__file__"]})  # as pytest-ckan's `cli`
    result = runner.invoke(ckan_cli, ["ocsregistry", "import", path,
                                      "--user", world.users["editor"]["name"]])
    assert result.exit_code == 0, result.output


def write_harvest(world: World, w: Written) -> None:
    """Harvested from a second registry; a local sysadmin then enters the values;
    the source changes the record and it is harvested again."""
    source = world.source
    source.reset()
    remote_org = source.create_crige("crige-source", ["44"])
    source.create_record(remote_org, name=w.name, title=f"Base {w.name}")
    harvest = harvest_source(source.url, world.owner_org["id"], name=f"src-{w.name}",
                             config={"organizations": {"crige-source": world.owner_org["name"]}})
    assert job_runner.run_source(harvest["id"])["stats"].get("added") == 1
    w.id = model.Package.get(w.name).id
    _api(world.app, "package_patch", world.users["sysadmin"]["token"], id=w.id, **w.markers)
    source.action("package_patch", id=w.name, title=f"Base {w.name} (v2)")
    job = job_runner.run_source(harvest["id"])
    assert job["stats"].get("updated") == 1, job
    assert model.Package.get(w.id).title == f"Base {w.name} (v2)"


def write_public_then_restricted(world: World, w: Written) -> None:
    token = world.users["editor"]["token"]
    created = _api(world.app, "package_create", token, **_base_record(
        world.owner_org, w.name, funding_visibility="public"), **w.markers)
    w.id = created["id"]
    # public values are public: the test could not fail if they were not shown
    seen = json.dumps(_api(world.app, "package_show", None, id=w.id))
    assert w.markers["funders"] in seen
    _api(world.app, "package_patch", token, id=w.id, title=f"Base {w.name} (public, v2)")
    activities = _api(world.app, "package_activity_list", None, id=w.id)
    assert w.markers["funders"] in json.dumps(activities), "public history holds public values"
    _api(world.app, "package_patch", token, id=w.id, funding_visibility="restricted")


WRITES: dict[str, Callable[[World, Written], None]] = {
    "web form (editor, CSRF)": write_web_form,
    "API package_create (editor token)": write_api_editor,
    "API package_update (CRIGE admin token)": write_api_admin,
    "API package_patch (sysadmin token)": write_api_sysadmin,
    "CLI import (editor)": write_cli_import,
    "harvest, then local sysadmin edit, then re-harvest": write_harvest,
    "public, then switched to restricted": write_public_then_restricted,
}


@pytest.fixture(scope="module")
def world(reset_db_once, source_process):
    csrf_before = tk.config.get("WTF_CSRF_ENABLED")
    tk.config["WTF_CSRF_ENABLED"] = True  # the form is posted with its token
    try:
        app = _get_test_app()  # loads the configured plugins
    finally:
        tk.config["WTF_CSRF_ENABLED"] = csrf_before
    ensure_plugin_tables()
    uid = uuid.uuid4().hex[:8]
    users = {role: factories.User(password=PASSWORD)
             for role in ("admin", "editor", "member", "outsider")}
    users["sysadmin"] = factories.Sysadmin()
    for user in users.values():
        user["token"] = factories.APIToken(user=user["name"])["token"]
    owner_org = factories.Organization(name=f"crige-owner-{uid}", regions_covered=["44"], users=[
        {"name": users[r]["name"], "capacity": r} for r in ("admin", "editor", "member")])
    other_org = factories.Organization(name=f"crige-other-{uid}", regions_covered=["76"], users=[
        {"name": users["outsider"]["name"], "capacity": "editor"}])
    world = World(app=app, owner_org=owner_org, other_org=other_org, users=users,
                  source=source_process)
    for i, (path, write) in enumerate(WRITES.items()):
        w = Written(path=path, name=f"conf-{uid}-{i}", markers=_markers())
        write(world, w)
        world.written[path] = w
    return world


# --------------------------------------------------------------------------
# Channels: what an anonymous visitor or another CRIGE can reach
# --------------------------------------------------------------------------

def _found(text: str, w: Written) -> list[str]:
    return [f"{name}={marker}" for name, marker in w.markers.items()
            if any(v in text for v in _variants(marker))]


def _get(world: World, url: str, token: str | None) -> str:
    response = world.app.get(url, headers={"Authorization": token} if token else {})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def _search(world, token, **params) -> dict:
    return _api(world.app, "package_search", token, include_private=True, **params)


def ch_package_show(world, token, w):
    return _found(json.dumps(_api(world.app, "package_show", token, id=w.id)), w)


def ch_search_results(world, token, w):
    found = _search(world, token, fq=f'+name:"{w.name}"')
    assert found["count"] == 1, "the record is not in the index: this check would prove nothing"
    return _found(json.dumps(found), w)


def ch_search_fl(world, token, w):
    fl = ["id", "name", "data_dict", "validated_data_dict", "extras_funding_visibility",
          *(f"extras_{n}" for n in RESTRICTED), *RESTRICTED]
    return _found(json.dumps(_search(world, token, fq=f'+name:"{w.name}"', fl=fl)), w)


def ch_search_facets(world, token, w):
    facets = [f"extras_{n}" for n in RESTRICTED] + ["text", "res_description"]
    found = _search(world, token, rows=0, **{"facet.field": facets, "facet.limit": -1})
    return _found(json.dumps(found["search_facets"]), w)


def ch_search_queries(world, token, w):
    """Queries that would reveal a value by matching (the count is enough)."""
    leaks = []
    queries = []
    for name in ("funders", "funding_details"):
        marker = w.markers[name]
        queries += [{"q": marker}, {"q": f"extras_{name}:{marker}"}, {"q": f"text:{marker}"},
                    {"fq": f"extras_{name}:*{marker[-6:]}*"}]
    for name in ("amo_price", "production_price"):
        value = int(w.markers[name])
        queries += [{"q": str(value)},
                    {"fq": f"extras_{name}:[{value - 1} TO {value + 1}]"},
                    {"fq": f'extras_{name}:"{value}"'}]
    for query in queries:
        query = dict(query, fq=(query.get("fq", "") + f' +name:"{w.name}"').strip())
        if _search(world, token, rows=0, **query)["count"]:
            leaks.append(f"{query} matched the record")
    return leaks


def ch_activity_actions(world, token, w):
    text = json.dumps([
        _api(world.app, "package_activity_list", token, id=w.id, limit=100),
        _api(world.app, "organization_activity_list", token, id=world.owner_org["id"], limit=100),
        _api(world.app, "recently_changed_packages_activity_list", token, limit=100),
    ])
    return _found(text, w)


def ch_activity_pages(world, token, w):
    pages = [f"/dataset/activity/{w.name}", f"/organization/activity/{world.owner_org['name']}"]
    activities = _api(world.app, "package_activity_list", token, id=w.id, limit=100)
    for activity in activities:
        pages.append(f"/dataset/{w.name}/history/{activity['id']}")
    for activity in activities[:-1]:  # the oldest has no change to show
        pages.append(f"/dataset/changes/{activity['id']}")
    return _found("".join(_get(world, page, token) for page in pages), w)


def ch_export_csv(world, token, w):
    text = "".join(_get(world, f"/ocsregistry/export.csv?lang={lang}&q=name:{w.name}", token)
                   for lang in ("fr", "en"))
    assert w.name in text, "the record is not in the export: this check would prove nothing"
    return _found(text, w)


def _xlsx_text(world, url, token) -> str:
    response = world.app.get(url, headers={"Authorization": token} if token else {})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        return "".join(book.read(n).decode("utf-8") for n in book.namelist())


def ch_export_xlsx(world, token, w):
    text = _xlsx_text(world, f"/ocsregistry/export.xlsx?q=name:{w.name}", token)
    assert w.name in text
    return _found(text, w)


def ch_map_data(world, token, w):
    return _found(json.dumps(_api(world.app, "ocsregistry_map_data", token)), w) + \
        _found(_get(world, "/ocsregistry/map", token), w)


def ch_region_summary(world, token, w):
    """The counts by region: the summary and indicators actions, the home, the map
    as SVG, the region CSV."""
    text = json.dumps(_api(world.app, "ocsregistry_region_summary", token)) + \
        json.dumps(_api(world.app, "ocsregistry_indicators", token)) + \
        "".join(_get(world, url, token) for url in (
            "/ocsregistry/", "/ocsregistry/map.svg", "/ocsregistry/regions.csv"))
    return _found(text, w)


def ch_dcat_record(world, token, w):
    return _found("".join(_get(world, f"/dataset/{w.name}.{fmt}", token)
                          for fmt in ("ttl", "rdf", "jsonld", "n3")), w)


def ch_dcat_catalog(world, token, w):
    text = "".join(_get(world, f"/catalog.{fmt}?q=name:{w.name}", token)
                   for fmt in ("ttl", "rdf", "jsonld", "n3"))
    assert w.name in text, "the record is not in the catalogue: this check would prove nothing"
    return _found(text, w)


def ch_pages(world, token, w):
    pages = [f"/ocs/{w.name}", f"/dataset/{w.name}", f"/ocs/?q=name:{w.name}",
             f"/organization/{world.owner_org['name']}"]
    return _found("".join(_get(world, page, token) for page in pages), w)


CHANNELS: dict[str, Callable[[World, str | None, Written], list[str]]] = {
    "package_show": ch_package_show,
    "package_search results": ch_search_results,
    "package_search fl=": ch_search_fl,
    "package_search facets": ch_search_facets,
    "package_search q/fq/range": ch_search_queries,
    "activity actions": ch_activity_actions,
    "activity and history pages": ch_activity_pages,
    "export CSV (fr, en)": ch_export_csv,
    "export XLSX": ch_export_xlsx,
    "map data and page": ch_map_data,
    "region summary, home, map SVG, region CSV": ch_region_summary,
    "DCAT record (ttl, rdf, jsonld, n3)": ch_dcat_record,
    "DCAT catalogue (ttl, rdf, jsonld, n3)": ch_dcat_catalog,
    "record, search and CRIGE pages": ch_pages,
}

READERS = {"anonymous": None, "another CRIGE's editor": "outsider"}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("path", WRITES)
def test_nothing_reaches_other_readers(world, path, reader, channel):
    role = READERS[reader]
    token = world.users[role]["token"] if role else None
    assert CHANNELS[channel](world, token, world.written[path]) == []


# --------------------------------------------------------------------------
# Derived stores, read directly
# --------------------------------------------------------------------------

def st_solr(world, w):
    docs = make_connection().search(q=f'id:"{w.id}"', fl="*", rows=5).docs
    assert docs, "the record is not in Solr: this check would prove nothing"
    return _found(json.dumps(docs, default=str), w)


def st_redis(world, w):
    client = redis.Redis.from_url(tk.config["ckan.redis.url"])
    keys = list(client.scan_iter(match=f"ocsregistry:digest:*:{w.name}"))
    assert keys, "no digest for the record: this check would prove nothing"
    return _found(json.dumps([{k.decode(): v.decode() for k, v in client.hgetall(key).items()}
                              for key in keys]), w)


def st_activity_rows(world, w):
    rows = model.Session.execute(
        sa.text("select data from activity where object_id = :id"), {"id": w.id}).all()
    assert rows, "no activity for the record: this check would prove nothing"
    return _found("".join(str(r[0]) for r in rows), w)


def st_package_extras(world, w):
    stored = extras.stored_package_extras(w.id)  # package_extra rows, or 2.12's column
    assert stored, "no extras at all: this check would prove nothing"
    return _found(json.dumps(sorted(stored.items())), w)


STORES = {"Solr document": st_solr, "Redis digests": st_redis,
          "activity rows": st_activity_rows, "package_extra rows": st_package_extras}


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("path", WRITES)
def test_no_derived_store_holds_them(world, path, store):
    assert STORES[store](world, world.written[path]) == []


# --------------------------------------------------------------------------
# The owning CRIGE and sysadmins still see and keep them
# --------------------------------------------------------------------------

def _all_found(found: list[str], w: Written) -> None:
    assert sorted(found) == sorted(f"{n}={m}" for n, m in w.markers.items())


def own_package_show(world, token, w):
    shown = _api(world.app, "package_show", token, id=w.id)
    assert {n: str(shown.get(n)) for n in RESTRICTED} == w.markers
    return _found(json.dumps(shown), w)


def own_record_page(world, token, w):
    return _found(_get(world, f"/ocs/{w.name}", token), w)


def own_edit_form(world, token, w):
    return _found(_get(world, f"/ocs/edit/{w.name}", token), w)


def own_export(world, token, w):
    return _found(_get(world, f"/ocsregistry/export.csv?q=name:{w.name}", token)
                  + _xlsx_text(world, f"/ocsregistry/export.xlsx?q=name:{w.name}", token), w)


OWN_CHANNELS = {"package_show": own_package_show, "record page": own_record_page,
                "edit form": own_edit_form, "export CSV and XLSX": own_export}
OWNERS = {"the CRIGE's editor": "editor", "a plain member of the CRIGE": "member",
          "a sysadmin": "sysadmin"}


@pytest.mark.parametrize("channel", OWN_CHANNELS)
@pytest.mark.parametrize("reader", OWNERS)
@pytest.mark.parametrize("path", WRITES)
def test_the_owning_crige_and_sysadmins_see_them(world, path, reader, channel):
    w = world.written[path]
    if channel == "edit form" and reader == "a plain member of the CRIGE":
        pytest.skip("a plain member may not edit; the form answers 403")
    if channel == "edit form" and path.startswith("harvest") and reader != "a sysadmin":
        pytest.skip("harvested records are edited at their source (guard tested elsewhere)")
    _all_found(OWN_CHANNELS[channel](world, world.users[OWNERS[reader]]["token"], w), w)


def test_an_api_show_then_update_by_a_member_loses_nothing(world):
    w = world.written["API package_create (editor token)"]
    token = world.users["editor"]["token"]
    shown = _api(world.app, "package_show", token, id=w.id)
    _api(world.app, "package_update", token, **dict(shown, title="Round trip"))
    # a dict read without the values (a search result) cannot wipe them either
    found = _search(world, token, fq=f'+name:"{w.name}"')["results"][0]
    _api(world.app, "package_update", token, **dict(found, title="From a search result"))
    _all_found(own_package_show(world, token, w), w)


def test_an_empty_value_clears_and_the_index_stays_clean(world):
    w = world.written["API package_update (CRIGE admin token)"]
    token = world.users["admin"]["token"]
    patched = _api(world.app, "package_patch", token, id=w.id, funders="")
    shown = _api(world.app, "package_show", token, id=w.id)
    assert "funders" not in shown and str(shown["amo_price"]) == w.markers["amo_price"]
    assert w.markers["funders"] not in json.dumps(patched)  # not the record as it was
    _api(world.app, "package_patch", token, id=w.id, funders=w.markers["funders"])
    _all_found(own_package_show(world, token, w), w)


def test_a_bad_restricted_value_is_refused_by_name_and_nothing_is_written(world):
    w = world.written["API package_patch (sysadmin token)"]
    token = world.users["editor"]["token"]
    response = world.app.post("/api/3/action/package_patch", json={
        "id": w.id, "amo_price": "-5", "funders": "NEVER-WRITTEN"},
        headers={"Authorization": token}, status=409)
    assert set(response.json["error"]) >= {"amo_price"}
    _all_found(own_package_show(world, token, w), w)
    assert "NEVER-WRITTEN" not in json.dumps(_api(world.app, "package_show", token, id=w.id))


def test_every_restricted_field_is_kept_out_of_ckans_package():
    """A field marked restricted must be written by the restricted store, never as an extra."""
    for field_def in schema_fields():
        if field_def.get("ocsregistry_restricted"):
            names = field_def["validators"].split()
            assert names[0] == "ocsregistry_restricted_input", field_def["field_name"]
            assert names[-1] == "ocsregistry_restricted_stash", field_def["field_name"]
    assert tuple(f["field_name"] for f in schema_fields()
                 if f.get("ocsregistry_restricted")) == RESTRICTED


def test_history_of_a_switched_record_keeps_no_public_value(world):
    """Spelled out: the values it had while public are gone from its history too."""
    w = world.written["public, then switched to restricted"]
    activities = _api(world.app, "package_activity_list", world.users["sysadmin"]["token"],
                      id=w.id, limit=100)
    assert len(activities) >= 3
    assert _found(json.dumps(activities), w) == []
    assert re.search(r'"funding_visibility": "restricted"', json.dumps(activities))
