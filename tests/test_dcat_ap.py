"""What national catalogues read from the registry's DCAT: charset, one temporal
period, licence, update frequency, keywords, a description, and the DCAT-AP 3 and
GeoDCAT-AP 3 shapes (issue 12).

Records are written as a CRIGE editor would, through the HTTP API with a token.
"""
from __future__ import annotations

import collections
import email.message
import os
from typing import Any

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from ckanext.dcat.profiles.base import DCAT, DCT
from ckanext.ocsregistry.profiles import EU_FREQUENCY, PROV

from .conftest import VALID_RECORD, as_user, record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SHACL = os.path.join(os.path.dirname(__file__), "data", "shacl")
DCAT_AP_3 = os.path.join(SHACL, "dcat-ap_3_shacl_shapes.ttl")
GEODCAT_AP_3 = os.path.join(SHACL, "geodcat-ap-3.0.0-SHACL.ttl")
SHAPE_SETS = {"DCAT-AP 3": DCAT_AP_3, "GeoDCAT-AP 3": GEODCAT_AP_3}
# Warnings the registry cannot clear without data it does not hold (see the
# README). The shape files shipped in tests/data/shacl state no sh:Warning,
# so none is expected; a warning of another kind fails the test.
ALLOWED_WARNINGS: set[str] = set()

ODBL_EU = URIRef("http://publications.europa.eu/resource/authority/licence/ODC_BL")
ETALAB = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
RDF_FORMATS = ("ttl", "rdf", "xml", "jsonld", "n3")


def api(app, action: str, token: str, status: int = 200, **data: Any) -> dict:
    response = app.post(f"/api/3/action/{action}", json=data,
                        headers={"Authorization": token}, status=status)
    return response.json


def editor_token(crige: dict) -> str:
    return as_user(crige["editor"]["name"])["headers"]["Authorization"]


def create(app, crige: dict, **overrides: Any) -> dict:
    data = record(owner_org=crige["org"]["id"], **overrides)
    return api(app, "package_create", editor_token(crige), **data)["result"]


def turtle(app, url: str) -> Graph:
    return Graph().parse(data=app.get(url).body, format="turtle")


def shacl_results(data: Graph, shapes_path: str) -> collections.Counter:
    """(severity, path, message) -> count, as pyshacl reports them."""
    if not os.path.exists(shapes_path):
        pytest.skip(f"SHACL shapes not found at {shapes_path}: copy them there "
                    "(tests/data/shacl/README.md says from where) to run this check")
    pyshacl = pytest.importorskip("pyshacl", reason="pyshacl is in dev-requirements.txt")
    shapes = Graph().parse(shapes_path, format="turtle")
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                advanced=True)
    found: collections.Counter = collections.Counter()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        found[(str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
               str(report.value(result, SH.resultPath)),
               str(report.value(result, SH.resultMessage)))] += 1
    return found


def assert_shapes_pass(data: Graph, where: str) -> None:
    for name, path in SHAPE_SETS.items():
        found = shacl_results(data, path)
        bad = {k: n for k, n in found.items()
               if k[0] == "Violation" or (k[0] == "Warning" and k[1] not in ALLOWED_WARNINGS)}
        assert not bad, f"{where}, {name}: " + "\n".join(f"{n} × {k}" for k, n in bad.items())


# --------------------------------------------------------------------------
# SHACL: both shape sets, demo catalogue and single records
# --------------------------------------------------------------------------

def test_the_demo_catalogue_passes_dcat_ap_3_and_geodcat_ap_3(app):
    from ckanext.ocsregistry import demo

    assert demo.load()["datasets"] >= 19
    assert_shapes_pass(turtle(app, "/catalog.ttl"), "/catalog.ttl")


def test_single_records_pass_both_shape_sets(app, crige_grand_est):
    full = create(app, crige_grand_est, license_id="odc-odbl", update_frequency="TRIENNIAL",
                  former_region_codes=["42"])
    # no notes, no links, no measures: the generated description stands in
    bare = create(app, crige_grand_est, name="ocs-nue", title="OCS nue", notes="", resources=[],
                  data_url="", viewer_url="", mmu_m2="", area_km2="", class_count="",
                  level_count="", internal_id="", contact_email="", license_id="other-open")
    for name in (full["name"], bare["name"]):
        assert_shapes_pass(turtle(app, f"/dataset/{name}.ttl"), name)
    g = turtle(app, f"/dataset/{bare['name']}.ttl")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))
    # no distribution: the licence is on the dataset, under the registry's IRI for "other open"
    assert list(g.objects(ref, DCAT.distribution)) == []
    assert str(g.value(ref, DCT.license)).endswith("/ocsregistry/vocab/licence/other-open")


# --------------------------------------------------------------------------
# charset: decoded as an HTTP client does, from the headers alone
# --------------------------------------------------------------------------

def _charset(content_type: str) -> str | None:
    message = email.message.Message()
    message["Content-Type"] = content_type
    return message.get_content_charset()


def test_every_rdf_format_says_utf_8_and_every_accent_arrives(app, crige_grand_est,
                                                              crige_occitanie):
    titles = ["OCS GE2 Grand Est — Île, Côte, Lœss", "Référentiel « occupation » Pyrénées"]
    first = create(app, crige_grand_est, title=titles[0])
    create(app, crige_occitanie, name="ocsid", title=titles[1], region_code="76")
    urls = [f"/catalog.{f}" for f in RDF_FORMATS] + [
        f"/dataset/{first['name']}.{f}" for f in RDF_FORMATS]
    for url in urls:
        response = app.get(url)
        assert response.status_code == 200, url
        content_type = response.headers["Content-Type"]
        # requests' rule (RFC 2616: text/* without a charset is ISO-8859-1)
        assert requests.utils.get_encoding_from_headers(response.headers) == "utf-8", (
            url, content_type)
        text = response.data.decode(_charset(content_type))
        expected = titles if url.startswith("/catalog") else titles[:1]
        for title in expected:
            # JSON-LD and RDF/XML may escape nothing; Turtle and N3 neither
            assert title in text, (url, content_type)


@pytest.mark.live
def test_content_negotiation_answers_utf_8(crige_grand_est, tmp_path):
    """ckanext-dcat's content negotiation (its own routes, switched on by an
    option read when the plugin loads): a CKAN process with it on."""
    from ckan.plugins import toolkit as tk
    from ckan.tests.helpers import call_action

    from .live_site import serve

    title = "Base « Île-de-France » — Côte"
    created = call_action("package_create", context={"user": crige_grand_est["editor"]["name"]},
                          **record(owner_org=crige_grand_est["org"]["id"], title=title))
    # the test site's own ini with the option on (its logging sections included)
    with open(tk.config["__file__"], encoding="utf-8") as f:
        text = f.read().replace("[app:main]", "[app:main]\nckanext.dcat.enable_content_negotiation = true", 1)
    ini = tmp_path / "conneg.ini"
    ini.write_text(text, encoding="utf-8")
    with serve(str(ini)) as url:
        for path in (f"/dataset/{created['name']}", "/"):
            for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
                response = requests.get(url + path, headers={"Accept": accept}, timeout=60)
                assert response.status_code == 200, (path, accept)
                assert response.headers["Content-Type"].split(";")[0] == accept
                assert response.encoding == "utf-8", response.headers["Content-Type"]
                if path != "/":
                    assert title in response.text, (path, accept)
        # a browser at "/" still gets CKAN's home page (the registry home is off here)
        page = requests.get(url + "/", headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "ocsregistry-indicator" not in page.text


@pytest.mark.live
def test_content_negotiation_and_the_registry_home_share_the_site_root(tmp_path):
    """With both the registry home as the site's home and ckanext-dcat's content
    negotiation, "/" answers RDF clients with the catalogue and browsers with the home."""
    from ckan.plugins import toolkit as tk

    from .live_site import serve

    with open(tk.config["__file__"], encoding="utf-8") as f:
        text = f.read().replace("[app:main]", "[app:main]\nckanext.dcat.enable_content_negotiation = true"
                                "\nckanext.ocsregistry.home_as_site_home = true", 1)
    ini = tmp_path / "conneg-home.ini"
    ini.write_text(text, encoding="utf-8")
    with serve(str(ini)) as url:
        rdf = requests.get(url + "/", headers={"Accept": "text/turtle"}, timeout=60)
        assert rdf.status_code == 200 and rdf.headers["Content-Type"].startswith("text/turtle")
        assert "dcat:Catalog" in rdf.text
        page = requests.get(url + "/", headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200 and "ocsregistry-indicator" in page.text


# --------------------------------------------------------------------------
# temporal coverage, licence, frequency, keywords, description
# --------------------------------------------------------------------------

VINTAGES = [
    {"year": 1982, "status": "available"},
    {"year": 2017, "status": "available", "note": "révision de la nomenclature"},
    {"year": 2021, "status": "available"},
    {"year": 2025, "status": "planned"},
]


def test_one_period_from_the_first_vintage_to_the_last_available_one(app, crige_grand_est):
    made = create(app, crige_grand_est, vintages=VINTAGES, license_id="etalab-2.0",
                  update_frequency="QUADRENNIAL")
    g = turtle(app, f"/dataset/{made['name']}.ttl")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))

    (period,) = g.objects(ref, DCT.temporal)
    assert g.value(period, DCAT.startDate) == Literal("1982-01-01", datatype=XSD.date)
    assert g.value(period, DCAT.endDate) == Literal("2021-12-31", datatype=XSD.date)
    details = {str(g.value(g.value(a, DCT.temporal), DCAT.startDate))[:4]:
               (str(g.value(a, URIRef("http://www.w3.org/ns/adms#status"))).rsplit("/", 1)[-1],
                str(g.value(a, URIRef("http://www.w3.org/2004/02/skos/core#note")) or ""))
               for a in g.objects(ref, PROV.wasGeneratedBy)}
    assert details == {"1982": ("available", ""), "2017": ("available", VINTAGES[1]["note"]),
                       "2021": ("available", ""), "2025": ("planned", "")}
    assert g.value(ref, DCT.accrualPeriodicity) == URIRef(EU_FREQUENCY + "QUADRENNIAL")
    licences = {lic for d in g.objects(ref, DCAT.distribution) for lic in g.objects(d, DCT.license)}
    assert licences == {ETALAB} and g.value(ref, DCT.license) == ETALAB
    keywords = {str(k) for k in g.objects(ref, DCAT.keyword)}
    assert {"occupation du sol", "Grand Est", "couverture du sol", "usage du sol",
            "OCS régionale spécifique"} <= keywords, keywords
    assert all(k.language == "fr" for k in g.objects(ref, DCAT.keyword))


def test_the_review_frequency_is_never_the_update_frequency(app, crige_grand_est):
    made = create(app, crige_grand_est, review_frequency_months="6")
    g = turtle(app, f"/dataset/{made['name']}.ttl")
    assert list(g.subject_objects(DCT.accrualPeriodicity)) == []


def test_empty_notes_get_a_french_description_from_the_card(app, crige_grand_est):
    made = create(app, crige_grand_est, notes="")
    g = turtle(app, f"/dataset/{made['name']}.ttl")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))
    (description,) = g.objects(ref, DCT.description)
    assert description.language == "fr"
    for fact in (VALID_RECORD["title"], "Grand Est", "2010 (disponible)", "2019 (disponible)",
                 "couverture du sol"):
        assert fact in str(description), description


def test_licence_and_temporal_read_back_by_the_stock_euro_dcat_ap_3_parser(app, crige_grand_est):
    from ckanext.dcat.processors import RDFParser

    made = create(app, crige_grand_est, vintages=VINTAGES, license_id="odc-odbl")
    # stock profile; the site declares no "dataset" schema, so it reads with the record's
    parser = RDFParser(profiles=["euro_dcat_ap_3"], dataset_type="ocs")
    parser.parse(app.get(f"/dataset/{made['name']}.ttl").body, _format="turtle")
    (parsed,) = list(parser.datasets())
    extras = {e["key"]: e["value"] for e in parsed.get("extras") or []}
    start = parsed.get("temporal_start") or extras.get("temporal_start")
    end = parsed.get("temporal_end") or extras.get("temporal_end")
    assert (start, end) == ("1982-01-01", "2021-12-31")
    assert parsed["license_id"] == "odc-odbl"
    for resource in parsed["resources"]:
        assert resource.get("license") == str(ODBL_EU)


@pytest.mark.parametrize("field,value", [("license_id", "bogus-licence"),
                                         ("update_frequency", "FORTNIGHTLY")])
def test_unknown_licence_or_frequency_is_refused_naming_the_field(app, crige_grand_est,
                                                                 field, value):
    token = editor_token(crige_grand_est)
    body = api(app, "package_create", token, status=409,
               **record(owner_org=crige_grand_est["org"]["id"], **{field: value}))
    assert field in body["error"], body["error"]
    found = app.get("/api/3/action/package_search?q=*:*").json["result"]["count"]
    assert found == 0


def test_licence_title_and_url_come_from_the_shipped_list(app, crige_grand_est):
    made = create(app, crige_grand_est, license_id="etalab-2.0", update_frequency="ANNUAL")
    shown = api(app, "package_show", editor_token(crige_grand_est), id=made["id"])["result"]
    assert shown["license_title"] == "Licence Ouverte / Open Licence version 2.0"
    assert shown["license_url"] == str(ETALAB)
    assert shown["update_frequency"] == "ANNUAL"
    page = app.get(f"/ocs/{made['name']}").body
    assert "Licence Ouverte 2.0 (Etalab)" in page and "Annuelle" in page


def test_the_form_offers_the_licences_and_frequencies(app, crige_grand_est):
    from bs4 import BeautifulSoup

    page = app.get("/ocs/new", headers={"Authorization": editor_token(crige_grand_est)})
    soup = BeautifulSoup(page.body, "html.parser")
    licences = {o["value"]: o.get_text(strip=True)
                for o in soup.select("select[name=license_id] option") if o.get("value")}
    assert licences["etalab-2.0"] == "Licence Ouverte 2.0 (Etalab)"
    assert set(licences) == {"etalab-2.0", "odc-odbl", "other-open", "other-closed", "notspecified"}
    frequencies = {o["value"] for o in soup.select("select[name=update_frequency] option")
                   if o.get("value")}
    assert {"ANNUAL", "TRIENNIAL", "IRREG", "UNKNOWN"} <= frequencies
