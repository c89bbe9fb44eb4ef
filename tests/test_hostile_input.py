"""Hostile values through the HTTP API, as a CRIGE editor with an API token.

Every value below must be refused with a 409 whose error names the field;
nothing may be written (the record reads back identical, no record appears),
and the record, its RDF and the whole catalogue must still answer 200.
"""
from __future__ import annotations

import datetime
import html
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import _get_test_app

from .conftest import ensure_plugin_tables, record

MB = "x" * (1 << 20)
NEXT_DECADE = datetime.date.today().year + 20


@dataclass(frozen=True)
class Hostile:
    field: str  # the key the error must name
    value: Any
    action: str = "package_patch"  # or package_create (a new record)

    def data(self, world: "World") -> dict[str, Any]:
        if self.action == "package_create":
            data = record(owner_org=world.org["id"], name=f"hostile-{uuid.uuid4().hex[:8]}")
            data[self.field] = self.value
            return data
        return {"id": world.record["id"], self.field: self.value}


def v(year: Any = 2019, status: Any = "available", **more: Any) -> dict[str, Any]:
    return {"year": year, "status": status, **more}


CASES: dict[str, Hostile] = {
    # numbers
    "exponent 1e5000": Hostile("mmu_m2", "1e5000"),
    "5000 nines": Hostile("mmu_m2", "9" * 5000),
    "exponent 1E+999999": Hostile("mmu_m2", "1E+999999"),
    "negative area": Hostile("mmu_m2", "-5"),
    "NaN": Hostile("mmu_m2", "NaN"),
    "Infinity": Hostile("mmu_m2", "Infinity"),
    "hexadecimal": Hostile("mmu_m2", "0x1F"),
    "trailing letters": Hostile("mmu_m2", "12abc"),
    "number as list": Hostile("mmu_m2", [1, 2]),
    "number as object": Hostile("mmu_m2", {"a": 1}),
    "number as boolean": Hostile("mmu_m2", True),
    "JSON float 1e308": Hostile("mmu_m2", 1e308),
    "seven decimals": Hostile("mmu_m2", "1.1234567"),
    "area above maximum": Hostile("mmu_m2", "200000000"),
    "underscore digits": Hostile("mmu_m2", "1_000"),
    "Arabic-Indic digits": Hostile("mmu_m2", "\u0661\u0662"),
    "NUL as number": Hostile("mmu_m2", "\x00"),
    "zero classes": Hostile("class_count", "0"),
    "fractional classes": Hostile("class_count", "2.5"),
    "too many classes": Hostile("class_count", "10001"),
    "negative classes": Hostile("class_count", "-1"),
    "too many levels": Hostile("level_count", "101"),
    "fractional levels": Hostile("level_count", "1,5"),
    "duration above 50 years": Hostile("amo_duration_months", "601"),
    "duration exponent": Hostile("amo_duration_months", "1e3"),
    "project duration as text": Hostile("project_duration_months", "douze"),
    "production duration negative": Hostile("production_duration_months", "-3"),
    "area above France": Hostile("area_km2", "2000000"),
    "area with scattered separators": Hostile("area_km2", "1 2 3,4,5"),
    "negative price": Hostile("amo_price", "-1"),
    "price exponent": Hostile("amo_price", "1e10"),
    "price above maximum": Hostile("amo_price", "2000000000"),
    "price as text": Hostile("production_price", "abc"),
    "price as list": Hostile("production_price", [1]),
    # URLs
    "tile template": Hostile("viewer_url", "https://tiles.example.org/{z}/{x}/{y}.png"),
    "quote in URL": Hostile("viewer_url", 'https://a.example/"onmouseover="x'),
    "angle brackets in URL": Hostile("viewer_url", "https://a.example/<script>"),
    "javascript URL": Hostile("viewer_url", "javascript:alert(1)"),
    "ftp URL": Hostile("viewer_url", "ftp://a.example/x"),
    "scheme only": Hostile("viewer_url", "https://"),
    "no host": Hostile("viewer_url", "https:///path"),
    "port out of range": Hostile("viewer_url", "http://a.example:99999/"),
    "1 MB URL": Hostile("viewer_url", "https://a.example/" + MB),
    "URL as list": Hostile("viewer_url", ["https://a.example"]),
    "URL as object": Hostile("viewer_url", {"url": "https://a.example"}),
    "space in URL": Hostile("data_url", "https://a.example/x y"),
    "bidi override in URL": Hostile("data_url", "https://a.example/\u202eexe.pdf"),
    "escape sequence in URL": Hostile("data_url", "https://a.example/\x1b[31m"),
    "scheme-relative URL": Hostile("data_url", "//a.example/x"),
    "empty host label": Hostile("data_url", "https://a..example/"),
    "data URL": Hostile("data_url", "data:text/html,<script>alert(1)</script>"),
    "bad percent escape": Hostile("data_url", "https://a.example/%zz"),
    "credentials in URL": Hostile("data_url", "https://user:secret@a.example/"),
    "backslash in URL": Hostile("data_url", "https://a.example/a\\b"),
    "URL as number": Hostile("data_url", 12345),
    "NUL in URL": Hostile("data_url", "https://a.example/\x00"),
    "newline in URL": Hostile("data_url", "https://a.example/\nSet-Cookie: x=1"),
    # dates
    "hour 25": Hostile("info_updated", "2024-03-31T25:00"),
    "30 February": Hostile("info_updated", "2024-02-30"),
    "French date order": Hostile("info_updated", "31/03/2024"),
    "month 13": Hostile("info_updated", "2024-13-01"),
    "date before the earliest year": Hostile("info_updated", "1800-01-01"),
    "date in the future": Hostile("info_updated", f"{NEXT_DECADE}-01-01"),
    "date as list": Hostile("info_updated", ["2024-01-01"]),
    "garbage after the date": Hostile("info_updated", "2024-03-31Tgarbage"),
    "offset out of range": Hostile("info_updated", "2024-03-31T12:00:00+99:00"),
    "date as number": Hostile("info_updated", 20240331),
    # vintages (repeating subfields)
    "duplicate vintage year": Hostile("vintages", [v(2019), v(2019, "planned")]),
    "vintage year exponent": Hostile("vintages", [v("1e3")]),
    "vintage year too early": Hostile("vintages", [v(1800)]),
    "vintage year too late": Hostile("vintages", [v(NEXT_DECADE + 100)]),
    "vintage year in words": Hostile("vintages", [v("deux mille")]),
    "vintage unknown status": Hostile("vintages", [v(2019, "bogus")]),
    "vintage without status": Hostile("vintages", [{"year": 2019}]),
    "vintage without year": Hostile("vintages", [{"status": "available"}]),
    "vintages as text": Hostile("vintages", "2019"),
    "vintages as object": Hostile("vintages", {"year": 2019}),
    "vintages as list of numbers": Hostile("vintages", [2019]),
    "1 MB vintage note": Hostile("vintages", [v(note=MB)]),
    "vintage year as list": Hostile("vintages", [v([2019])]),
    "bidi override in vintage note": Hostile("vintages", [v(note="\u202eevil")]),
    "vintage status as list": Hostile("vintages", [v(2019, ["available"])]),
    # codes
    "unknown region": Hostile("region_code", "99"),
    "pre-2016 region": Hostile("region_code", "91"),
    "region as list": Hostile("region_code", ["44"]),
    "region as object": Hostile("region_code", {"a": 1}),
    "NUL in region": Hostile("region_code", "44\x00"),
    "10,000-character region": Hostile("region_code", "4" * 10000),
    "region the CRIGE does not cover": Hostile("region_code", "76"),
    "unknown former region": Hostile("former_region_codes", ["99"]),
    "former region of another region": Hostile("former_region_codes", ["91"]),
    "former regions as broken JSON": Hostile("former_region_codes", "[\"31\""),
    "former regions as object": Hostile("former_region_codes", {"a": 1}),
    "former regions nested": Hostile("former_region_codes", [["31"]]),
    "internal id with spaces": Hostile("internal_id", "bad id with spaces"),
    "internal id too long": Hostile("internal_id", "x" * 65),
    "internal id as list": Hostile("internal_id", ["a"]),
    # choices
    "unknown characteristic": Hostile("ocs_characteristic", "bogus"),
    "characteristic as list": Hostile("ocs_characteristic", ["ocs_ge"]),
    "unknown reliability": Hostile("info_status", "bogus"),
    "unknown visibility": Hostile("funding_visibility", "everyone"),
    "visibility as list": Hostile("funding_visibility", ["public"]),
    "unknown review frequency": Hostile("review_frequency_months", "7"),
    "unknown AMO answer": Hostile("amo_exists", "maybe"),
    "unknown dimension": Hostile("dimensions", ["bogus"]),
    "dimensions as object": Hostile("dimensions", {"a": "land_cover"}),
    "dimension as nested list": Hostile("dimensions", [["land_cover"]]),
    # lists of text
    "producers as object": Hostile("producers", {"a": 1}),
    "1 MB producer": Hostile("producers", [MB]),
    "bidi override in producer": Hostile("producers", ["CLS\u202e"]),
    "producers nested": Hostile("producers", [["nested"]]),
    "1,000 producers": Hostile("producers", [f"p{i}" for i in range(1000)]),
    "NUL in producer": Hostile("producers", ["a\x00b"]),
    # owner_org
    "owner_org as list": Hostile("owner_org", ["crige"]),
    "owner_org as object": Hostile("owner_org", {"id": "crige"}),
    "unknown owner_org": Hostile("owner_org", "no-such-crige"),
    "another CRIGE's owner_org": Hostile("owner_org", "@other"),
    "empty owner_org": Hostile("owner_org", ""),
    "NUL owner_org": Hostile("owner_org", "\x00"),
    "owner_org as list on create": Hostile("owner_org", ["crige"], "package_create"),
    "NUL owner_org on create": Hostile("owner_org", "a\x00", "package_create"),
    # text
    "title as list": Hostile("title", ["a", "b"]),
    "title as object": Hostile("title", {"fr": "x"}),
    "1 MB title": Hostile("title", MB),
    "NUL title": Hostile("title", "OCS\x00"),
    "escape sequence in title": Hostile("title", "OCS\x1b[2J"),
    "bidi override in title": Hostile("title", "OCS \u202elanoiger"),
    "empty title": Hostile("title", ""),
    "title as boolean": Hostile("title", False),
    "1 MB title on create": Hostile("title", MB, "package_create"),
    "1 MB description": Hostile("notes", MB),
    "NUL in description": Hostile("notes", "a\x00b"),
    "description as list": Hostile("notes", ["a"]),
    "10,000-character detail": Hostile("ocs_characteristic_detail", "x" * 10000),
    "bidi isolate in MMU": Hostile("mmu", "\u2066isolate"),
    "invalid e-mail": Hostile("contact_email", "not-an-email"),
    "header injection in e-mail": Hostile("contact_email", "a@b.fr\nBcc: x@y.fr"),
    "e-mail as list": Hostile("contact_email", ["a@b.fr"]),
    "bell in uses": Hostile("uses", "\x07bell"),
    "1 MB funders": Hostile("funders", MB),
    "NUL in funding details": Hostile("funding_details", "a\x00b"),
    "funders as object": Hostile("funders", {"a": 1}),
    "invalid name": Hostile("name", "Bad Name!"),
    "name too long": Hostile("name", "x" * 101),
    "name as list": Hostile("name", ["a"]),
    "class details as object": Hostile("class_details", {"a": 1}),
    "imagery as boolean": Hostile("imagery", True),
    "NUL in internal id": Hostile("internal_id", "a\x00"),
    "escape sequence in contact": Hostile("contact_name", "\x1b]0;pwned\x07"),
}


@dataclass
class World:
    app: Any
    org: dict
    other_org: dict
    editor_token: str
    sysadmin_token: str
    record: dict


def _api(app, action: str, token: str | None, **data: Any):
    headers = {"Authorization": token} if token else {}
    return app.post(f"/api/3/action/{action}", json=data, headers=headers)


@pytest.fixture(scope="module")
def world(reset_db_once, registry_app):
    ensure_plugin_tables()
    uid = uuid.uuid4().hex[:8]
    editor, sysadmin = factories.User(), factories.Sysadmin()
    org = factories.Organization(name=f"crige-hostile-{uid}", regions_covered=["44"],
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    other = factories.Organization(name=f"crige-other-{uid}", regions_covered=["76"])
    editor_token = factories.APIToken(user=editor["name"])["token"]
    sysadmin_token = factories.APIToken(user=sysadmin["name"])["token"]
    response = _api(registry_app, "package_create", editor_token,
                    **record(owner_org=org["id"], name=f"hostile-target-{uid}"))
    assert response.status_code == 200, response.json
    return World(registry_app, org, other, editor_token, sysadmin_token, response.json["result"])


def _show(world: World) -> dict:
    response = _api(world.app, "package_show", world.sysadmin_token, id=world.record["id"])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json["result"]


def _count(world: World) -> int:
    response = _api(world.app, "package_search", world.sysadmin_token, q="*:*", rows=0,
                    include_private=True, include_drafts=True)
    return response.json["result"]["count"]


def _resolve(world: World, value: Any) -> Any:
    return world.other_org["id"] if value == "@other" else value


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_hostile_value_is_refused_naming_the_field(world, case):
    before, count = _show(world), _count(world)
    data = case.data(world)
    data[case.field] = _resolve(world, data[case.field])

    response = _api(world.app, case.action, world.editor_token, **data)

    assert response.status_code == 409, (response.status_code, response.get_data(as_text=True)[:800])
    error = response.json["error"]
    assert case.field in error, f"the error does not name {case.field}: {error}"
    assert _show(world) == before, "a refused write changed the record"
    assert _count(world) == count, "a refused write created a record"
    for url in (f"/dataset/{world.record['name']}", f"/dataset/{world.record['name']}.ttl",
                "/catalog.ttl"):
        assert world.app.get(url).status_code == 200, url


def test_the_hostile_set_is_large_and_covers_every_field_type():
    fields = {c.field for c in CASES.values()}
    assert len(CASES) >= 100
    for kind in ("mmu_m2", "amo_price", "viewer_url", "info_updated", "vintages", "region_code",
                 "former_region_codes", "ocs_characteristic", "dimensions", "producers",
                 "owner_org", "title", "notes", "funders", "contact_email", "name"):
        assert kind in fields, kind


# --------------------------------------------------------------------------
# The same refusals through the edit form, as a logged-in editor posts it
# --------------------------------------------------------------------------

FORM_CASES: dict[str, tuple[dict[str, str], str]] = {
    # posted fields -> the French label the error summary must name
    "tile template as viewer link": ({"viewer_url": "https://t.example/{z}/{x}/{y}.png"},
                                     "Lien vers la visionneuse"),
    "javascript data link": ({"data_url": "javascript:alert(1)"}, "Lien vers les données"),
    "exponent number": ({"mmu_m2": "1e5000"}, "UMC principale"),
    "30 February": ({"info_updated": "2024-02-30"}, "Date de mise à jour des informations"),
    "bidi override in title": ({"title": "OCS \u202elanoiger"}, "Nom de la base"),
    # refused before any view (views.py), as a page naming the parameter
    "NUL in funders": ({"funders": "a\x00b"}, "Le caractère NUL n'est pas permis (dans funders)"),
    "10,000-character detail": ({"ocs_characteristic_detail": "x" * 10000},
                                "Précisions sur la caractéristique"),
    "duplicate vintage year": ({"vintages-1-year": "2010"},
                               "Millésime 2: Année: L'année 2010 figure déjà"),
    "price above maximum": ({"production_price": "2000000000"}, "Prix de production"),
    "invalid e-mail": ({"contact_email": "not-an-email"}, "Courriel du contact"),
}


@pytest.fixture(scope="module")
def form_world(world):
    from ckan.plugins import toolkit as tk

    from .test_confidentiality import PASSWORD, _login

    csrf_before = tk.config.get("WTF_CSRF_ENABLED")
    tk.config["WTF_CSRF_ENABLED"] = True  # the form is posted with its token
    try:
        app = _get_test_app()
    finally:
        tk.config["WTF_CSRF_ENABLED"] = csrf_before
    editor = factories.User(password=PASSWORD)
    _api(app, "organization_member_create", world.sysadmin_token, id=world.org["id"],
         username=editor["name"], role="editor")
    return {"client": _login(app, editor), "app": app}


@pytest.mark.parametrize("posted,label", list(FORM_CASES.values()), ids=list(FORM_CASES))
def test_hostile_form_value_is_refused_beside_its_field(world, form_world, posted, label):
    from werkzeug.datastructures import MultiDict
    from .test_confidentiality import _form_errors, _form_fields

    before = _show(world)
    client, name = form_world["client"], world.record["name"]
    page = client.get(f"/ocs/edit/{name}")
    assert page.status_code == 200
    fields = [(k, v) for k, v in _form_fields(page.get_data(as_text=True)) if k not in posted]
    response = client.post(f"/ocs/edit/{name}", data=MultiDict(
        fields + list(posted.items()) + [("save", "")]), follow_redirects=False)

    if "\x00" in "".join(posted.values()):
        assert response.status_code == 400
        errors = html.unescape(response.get_data(as_text=True))
    else:
        assert response.status_code == 200, "the form was not shown again with its errors"
        errors = _form_errors(response.get_data(as_text=True))
    assert label in errors, errors
    assert _show(world) == before, "a refused form changed the record"


# --------------------------------------------------------------------------
# Hostile query parameters: reads answer an error, never 500
# --------------------------------------------------------------------------

READS: dict[str, tuple[str, int]] = {
    # url -> the status expected (400: a page's bad parameter, 409: the API's)
    "export bbox": ("/ocsregistry/export.csv?ext_bbox=garbage", 400),
    "export language": ("/ocsregistry/export.csv?lang=xx", 400),
    "export vintage": ("/ocsregistry/export.xlsx?ext_vintage_from=abc", 400),
    "export reversed vintages": (
        "/ocsregistry/export.csv?ext_vintage_from=2020&ext_vintage_to=2010", 400),
    "export NUL organisation": ("/ocsregistry/export.csv?organization=%00", 400),
    "export NUL sort": ("/ocsregistry/export.csv?sort=%00", 400),
    "map NUL query": ("/ocsregistry/map?q=%00", 400),
    "search vintage": ("/ocs/?ext_vintage_from=abc", 400),
    "search NUL query": ("/ocs/?q=%00", 400),
    "search unknown sort": ("/ocs/?sort=bogus%20field", 400),
    "map data era": ("/api/3/action/ocsregistry_map_data?era=bogus", 409),
    "map data bbox": ("/api/3/action/ocsregistry_map_data?ext_bbox=999,0,1,1", 409),
    "map data long region": (
        "/api/3/action/ocsregistry_map_data?vocab_ocsregistry_region=" + "x" * 200, 409),
    "region list era": ("/api/3/action/ocsregistry_region_list?era=zzz", 409),
    "export to review": ("/ocsregistry/export.csv?ext_review_due=garbage", 400),
    "search to review": ("/ocs/?ext_review_due=2", 400),
    "map data to review": ("/api/3/action/ocsregistry_map_data?ext_review_due=x", 409),
    "review list due_only": ("/api/3/action/ocsregistry_review_list?id=x&due_only=x", 409),
    "review list no id": ("/api/3/action/ocsregistry_review_list", 409),
    "review page NUL": ("/organization/%00/review", 400),
    "review page due_only": ("/organization/x/review?due_only=maybe", 404),
    "package_show NUL id": ("/api/3/action/package_show?id=%00", 409),
    "package_search NUL fq": ("/api/3/action/package_search?fq=%00", 409),
    "record page NUL": ("/dataset/%00", 400),
    "record RDF NUL": ("/dataset/%00.ttl", 400),
    "edit form NUL": ("/ocs/edit/%00", 400),
    "organisation NUL": ("/organization/%00", 400),
    "timeline era": ("/ocsregistry/timeline.png?era=1789", 400),
    "timeline NUL query": ("/ocsregistry/timeline?q=%00", 400),
    "timeline data vintage": ("/api/3/action/ocsregistry_timeline?ext_vintage_from=abc", 409),
    "compare one record": ("/ocsregistry/compare?records=only-one", 400),
    "compare five records": ("/ocsregistry/compare.csv?records=a1,b2,c3,d4,e5", 400),
    "compare hostile name": ("/ocsregistry/compare?records=a1,%22%29%20OR%20*:*", 400),
    "compare data records": ("/api/3/action/ocsregistry_compare?records=x1", 409),
    "changes limit": ("/ocsregistry/changes.atom?limit=1e9", 400),
    "changes data limit": ("/api/3/action/ocsregistry_changes?limit=-5", 409),
    "catalogue page": ("/catalog.ttl?page=abc", 409),
    "catalogue negative page": ("/catalog.ttl?page=-1", 409),
    "catalogue modified_since": ("/catalog.ttl?modified_since=garbage", 409),
}


@pytest.mark.parametrize("url,status", list(READS.values()), ids=list(READS))
def test_hostile_read_is_refused_not_crashed(world, url, status):
    response = world.app.get(url, headers={"Authorization": world.editor_token})
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    if url.startswith("/api/") and "%00" in url:
        assert "NUL" in json.dumps(response.json["error"], ensure_ascii=False)
