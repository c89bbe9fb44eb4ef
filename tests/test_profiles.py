"""The DCAT-AP 3 / GeoDCAT-AP profile, through ckanext-dcat's endpoints."""
from __future__ import annotations

import os

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, SKOS, XSD

from ckanext.dcat.profiles.base import ADMS, DCAT, DCT
from ckanext.ocsregistry.profiles import DQV, GEODCATAP, INSEE_REGION, PROV

from .conftest import RESTRICTED_VALUES, VALID_RECORD, as_user, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SHAPES = os.path.join(os.path.dirname(__file__), "data", "shacl", "dcat-ap_3_shacl_shapes.ttl")


def rdf(app, url: str, user: str | None = None) -> tuple[Graph, str]:
    body = app.get(url, **as_user(user)).body
    graph = Graph()
    graph.parse(data=body, format="turtle")
    return graph, body


@pytest.fixture
def ge_record(crige_grand_est):
    return create_record(crige_grand_est, former_region_codes=["42", "21"])


def test_the_record_page_in_turtle_carries_the_field_card(app, ge_record):
    g, _body = rdf(app, f"/dataset/{ge_record['name']}.ttl")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))

    region = URIRef(INSEE_REGION + "44")
    assert set(g.objects(ref, DCT.spatial)) == {
        region, URIRef(INSEE_REGION + "42"), URIRef(INSEE_REGION + "21")}
    assert str(g.value(region, SKOS.prefLabel)) == "Grand Est"
    assert str(g.value(region, DCAT.bbox)).startswith("POLYGON((")
    assert str(g.value(region, DCAT.centroid)).startswith("POINT(")
    (period,) = g.objects(ref, DCT.temporal)
    assert g.value(period, DCAT.startDate) == Literal("2010-01-01", datatype=XSD.date)
    assert g.value(period, DCAT.endDate) == Literal("2019-12-31", datatype=XSD.date)
    vintages = sorted(str(g.value(g.value(a, DCT.temporal), DCAT.startDate))
                      for a in g.objects(ref, PROV.wasGeneratedBy))
    assert vintages == ["2010-01-01", "2019-01-01"]
    assert g.value(ref, DCAT.version) == Literal("2019")
    assert sorted(str(g.value(a, FOAF.name)) for a in g.objects(ref, DCT.creator)) == ["CLS", "TTI"]
    assert g.value(ref, DCT.publisher) is not None
    assert g.value(ref, DCAT.landingPage) == URIRef(VALID_RECORD["viewer_url"])
    access = {g.value(d, DCAT.accessURL) for d in g.objects(ref, DCAT.distribution)}
    assert URIRef(VALID_RECORD["data_url"]) in access
    mmu = [m for m in g.objects(ref, DQV.hasQualityMeasurement)
           if str(g.value(m, DQV.isMeasurementOf)).endswith("/metric/minimum-mapping-unit")]
    assert g.value(mmu[0], DQV.value) == Literal(500, datatype=XSD.integer)
    standard = g.value(ref, DCT.conformsTo)
    assert str(g.value(standard, DCT.description)) == VALID_RECORD["class_details"]
    assert str(g.value(ref, GEODCATAP.spatialResolutionAsText)) == "1:2 500"
    assert str(g.value(g.value(ref, ADMS.identifier), SKOS.notation)) == "GE-2019.v2"
    # the record's review frequency (12 months) is not the base's update frequency
    assert g.value(ref, DCT.accrualPeriodicity) is None


@pytest.mark.parametrize("who", ["anonymous", "member", "sysadmin"])
def test_restricted_fields_are_never_output(app, ge_record, crige_grand_est, sysadmin, who):
    user = {"anonymous": None, "member": crige_grand_est["member"]["name"],
            "sysadmin": sysadmin["name"]}[who]
    for url in (f"/dataset/{ge_record['name']}.ttl", f"/dataset/{ge_record['name']}.rdf",
                f"/dataset/{ge_record['name']}.jsonld", "/catalog.ttl"):
        _g, body = rdf(app, url, user) if url.endswith(".ttl") else (None, app.get(
            url, **as_user(user)).body)
        for value in ("zanzibarfund", "45000", "1250000", RESTRICTED_VALUES["funding_details"]):
            assert value not in body, (url, value)


def test_the_catalogue_lists_registry_records(app, ge_record, crige_occitanie):
    other = create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76")
    g, _body = rdf(app, "/catalog.ttl")
    catalog = next(g.subjects(RDF.type, DCAT.Catalog))
    titles = {str(g.value(d, DCT.title)) for d in g.objects(catalog, DCAT.dataset)}
    assert titles == {ge_record["title"], other["title"]}


def assert_conforms(app, urls: list[str]) -> None:
    if not os.path.exists(SHAPES):
        pytest.skip(f"DCAT-AP 3 SHACL shapes not found at {SHAPES}: "
                    "copy dcat-ap_3_shacl_shapes.ttl there to run this check")
    pyshacl = pytest.importorskip("pyshacl", reason="pyshacl is in dev-requirements.txt")
    shapes = Graph().parse(SHAPES, format="turtle")
    for url in urls:
        data, _body = rdf(app, url)
        conforms, _graph, report = pyshacl.validate(data, shacl_graph=shapes,
                                                    inference="none", advanced=True)
        assert conforms, f"{url}:\n{report}"


def test_the_output_conforms_to_the_dcat_ap_3_shapes(app, ge_record, crige_grand_est):
    # A second base of the same region: the catalogue shares its location node.
    create_record(crige_grand_est, name="ocs-alsace", title="OCS Alsace",
                  former_region_codes=["42"])
    assert_conforms(app, [f"/dataset/{ge_record['name']}.ttl", "/catalog.ttl"])


BROKEN_LINKS = {
    "viewer_url": "https://tiles.example.org/{z}/{x}/{y}.png",
    "data_url": 'https://a.example/"><script>',
}


def _write_around_the_validators(package_id: str, values: dict[str, str]) -> None:
    """Store values as an old version or a SQL hand-edit would, then reindex."""
    from ckan import model
    from ckan.lib import search

    package = model.Package.get(package_id)
    for key, value in values.items():
        package.extras[key] = value  # 2.11's package_extra rows or 2.12's column alike
    model.Session.commit()
    search.rebuild(package_id)
    search.commit()


def test_one_record_with_broken_links_cannot_break_the_catalogue(app, ge_record, crige_occitanie):
    other = create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76")
    _write_around_the_validators(ge_record["id"], BROKEN_LINKS)

    for url in ("/catalog.ttl", "/catalog.xml", "/catalog.jsonld",
                f"/dataset/{ge_record['name']}.ttl", f"/dataset/{ge_record['name']}.rdf"):
        response = app.get(url)
        assert response.status_code == 200, url
        for value in BROKEN_LINKS.values():
            assert value not in response.body, (url, value)
    g, _body = rdf(app, "/catalog.ttl")
    titles = {str(g.value(d, DCT.title)) for d in g.subjects(RDF.type, DCAT.Dataset)}
    assert titles == {ge_record["title"], other["title"]}, "both records are still published"
    ref = next(d for d in g.subjects(RDF.type, DCAT.Dataset)
               if str(g.value(d, DCT.title)) == ge_record["title"])
    assert g.value(ref, DCAT.landingPage) is None  # the broken link alone is left out
    assert g.value(ref, DCT.publisher) is not None
