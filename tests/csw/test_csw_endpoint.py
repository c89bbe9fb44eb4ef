"""The CSW endpoint (pycsw) and its table, through the test app: sync on every
save, the sync command, queryable names in any case, bad requests."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from lxml import etree

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.ocsregistry.csw import repository, server

from ..conftest import RESTRICTED_VALUES, as_user, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

NS = {"csw": "http://www.opengis.net/cat/csw/2.0.2", "ows": "http://www.opengis.net/ows",
      "gmd": "http://www.isotc211.org/2005/gmd", "dc": "http://purl.org/dc/elements/1.1/",
      "gco": "http://www.isotc211.org/2005/gco"}
GMD = "http://www.isotc211.org/2005/gmd"


def rows() -> dict[str, str]:
    table = repository.CswRecord.__table__
    return dict(model.Session.execute(sa.select(table.c.identifier, table.c.title)).all())


def csw_get(app, status=200, **params):
    params = {"service": "CSW", "version": "2.0.2", **params}
    response = app.get("/csw", query_string=params, status=status)
    return etree.fromstring(response.body.encode("utf-8")), response


def matched(tree) -> int:
    return int(tree.find("csw:SearchResults", NS).get("numberOfRecordsMatched"))


def test_saves_keep_the_table_in_step(app, crige_grand_est):
    editor = crige_grand_est["editor"]["name"]
    pkg = create_record(crige_grand_est)
    assert rows() == {pkg["id"]: pkg["title"]}
    app.post("/api/3/action/package_patch", json={"id": pkg["id"], "title": "OCS renommée"},
             **as_user(editor))
    assert rows() == {pkg["id"]: "OCS renommée"}
    app.post("/api/3/action/package_patch", json={"id": pkg["id"], "private": True},
             **as_user(editor))
    assert rows() == {}
    app.post("/api/3/action/bulk_update_public", json={
        "org_id": crige_grand_est["org"]["id"], "datasets": [pkg["id"]]},
        **as_user(crige_grand_est["admin"]["name"]))
    assert rows() == {pkg["id"]: "OCS renommée"}
    app.post("/api/3/action/bulk_update_private", json={
        "org_id": crige_grand_est["org"]["id"], "datasets": [pkg["id"]]},
        **as_user(crige_grand_est["admin"]["name"]))
    assert rows() == {}
    app.post("/api/3/action/package_patch", json={"id": pkg["id"], "private": False},
             **as_user(editor))
    app.post("/api/3/action/package_delete", json={"id": pkg["name"]}, **as_user(editor))
    assert rows() == {}


def test_a_private_record_never_gets_a_row(crige_grand_est):
    create_record(crige_grand_est, private=True)
    assert rows() == {}


def test_the_sync_command_rebuilds_the_table(cli, crige_grand_est):
    from ckanext.ocsregistry.cli import ocsregistry

    public = create_record(crige_grand_est)
    private = create_record(crige_grand_est, name="ocs-private", private=True)
    table = repository.CswRecord.__table__
    # the table has drifted: a stale row, a missing one
    model.Session.execute(table.delete())
    model.Session.execute(table.insert().values(**dict(repository.row(call_action(
        "package_show", id=public["id"])), identifier=private["id"])))
    model.Session.commit()
    for _ in range(2):  # safe to repeat
        result = cli.invoke(ocsregistry, ["csw-sync"])
        assert result.exit_code == 0, result.output
        assert "1 public records written" in result.output
        assert rows() == {public["id"]: public["title"]}


@pytest.mark.parametrize("name", ["apiso:type", "APISO:TYPE", "apiso:Type"])
def test_queryables_in_any_case(app, crige_grand_est, name):
    create_record(crige_grand_est)
    tree, _ = csw_get(app, request="GetRecords", typenames="csw:Record", resulttype="results",
                      elementsetname="brief", constraintlanguage="CQL_TEXT", constraint_language_version="1.1.0",
                      constraint=f"{name} = 'dataset'")
    assert matched(tree) == 1


def test_post_with_lower_case_identifier(app, crige_grand_est):
    pkg = create_record(crige_grand_est)
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc"
    service="CSW" version="2.0.2" resultType="results" outputSchema="{GMD}">
  <csw:Query typeNames="csw:Record"><csw:ElementSetName>full</csw:ElementSetName>
    <csw:Constraint version="1.1.0"><ogc:Filter><ogc:PropertyIsEqualTo>
      <ogc:PropertyName>apiso:identifier</ogc:PropertyName><ogc:Literal>{pkg["id"]}</ogc:Literal>
    </ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"""
    response = app.post("/csw", data=body.encode("utf-8"), content_type="application/xml")
    tree = etree.fromstring(response.body.encode("utf-8"))
    assert matched(tree) == 1
    assert tree.findtext(".//gmd:fileIdentifier/gco:CharacterString", namespaces=NS) == pkg["id"]


def test_no_restricted_value_in_any_output(app, crige_grand_est):
    pkg = create_record(crige_grand_est)
    table = repository.CswRecord.__table__
    stored = " ".join(str(v) for v in model.Session.execute(sa.select(table)).first())
    bodies = [stored]
    for schema in (GMD, "http://www.opengis.net/cat/csw/2.0.2"):
        bodies.append(app.get("/csw", query_string={
            "service": "CSW", "version": "2.0.2", "request": "GetRecordById", "id": pkg["id"],
            "outputschema": schema, "elementsetname": "full"}).body)
        bodies.append(app.get("/csw", query_string={
            "service": "CSW", "version": "2.0.2", "request": "GetRecords",
            "typenames": "csw:Record", "resulttype": "results", "elementsetname": "full",
            "outputschema": schema}).body)
    for body in bodies:
        assert pkg["id"] in body
        for value in RESTRICTED_VALUES.values():
            assert str(value) not in body
        assert "zanzibarfund" not in body and "45000" not in body


@pytest.mark.parametrize("params", [
    {"request": "GetRecords", "typenames": "csw:Record", "constraintlanguage": "CQL_TEXT",
     "constraint": "apiso:Title = "},
    {"request": "GetRecords", "typenames": "csw:Record", "constraintlanguage": "FILTER",
     "constraint": "<ogc:Filter"},
    {"request": "GetRecords", "typenames": "nope:Nothing"},
    {"request": "GetRecords", "typenames": "csw:Record", "maxrecords": "-3"},
    {"request": "GetRecords", "typenames": "csw:Record", "outputformat": "text/html\r\nX: y"},
    {"request": "GetRecordById"},
    {"request": "NoSuchOperation"},
    {"request": "GetRecords", "typenames": "csw:Record", "constraintlanguage": "CQL_TEXT",
     "constraint": "apiso:NoSuchThing = 'x'"},
    {},
])
def test_bad_kvp_requests_get_an_exception_report(app, params):
    tree, response = csw_get(app, status=400, **params)
    assert tree.tag == "{http://www.opengis.net/ows}ExceptionReport"
    assert tree.find("ows:Exception", NS).get("exceptionCode")
    assert response.headers["Content-Type"].startswith("application/xml")


@pytest.mark.parametrize("body", [b"", b"not xml", b"<a/>", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
                                  b"<csw:GetRecords xmlns:csw='http://www.opengis.net/cat/csw/2.0.2' service='CSW' version='2.0.2'/>",
                                  b"x" * 1_100_000])
def test_bad_post_requests_get_an_exception_report(app, body):
    response = app.post("/csw", data=body, content_type="application/xml", status=400)
    tree = etree.fromstring(response.body.encode("utf-8"))
    assert tree.tag == "{http://www.opengis.net/ows}ExceptionReport"
    assert "root:" not in response.body


def test_normalise_names():
    assert server.normalise_names("apiso:type = 'dataset' AND dc:TITLE like '%a%'") == \
        "apiso:Type = 'dataset' AND dc:title like '%a%'"
    assert server.normalise_names("apiso:unknown = 1") == "apiso:unknown = 1"


def test_disabled_endpoint_is_not_found(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.ocsregistry.csw.enabled", False)
    app.get("/csw", query_string={"service": "CSW", "request": "GetCapabilities"}, status=404)


def test_capabilities_name_the_service_from_the_config(app, ckan_config, monkeypatch):
    tree, response = csw_get(app, request="GetCapabilities")
    title = tree.findtext("ows:ServiceIdentification/ows:Title", namespaces=NS)
    assert title == ckan_config["ckan.site_title"]
    assert "gzip" not in response.headers.get("Content-Encoding", "")
    urls = tree.xpath("//ows:Get/@xlink:href", namespaces={**NS, "xlink": "http://www.w3.org/1999/xlink"})
    assert urls and all(u.startswith(ckan_config["ckan.site_url"] + "/csw") for u in urls)
    monkeypatch.setitem(ckan_config, "ckanext.ocsregistry.csw.title", "Registre OCS – 100 % CSW $HOME")
    monkeypatch.setitem(ckan_config, "ckanext.ocsregistry.csw.contact_email", "csw@example.org")
    tree, _ = csw_get(app, request="GetCapabilities")
    assert tree.findtext("ows:ServiceIdentification/ows:Title", namespaces=NS) == \
        "Registre OCS – 100 % CSW $HOME"
    assert tree.findtext(".//ows:ElectronicMailAddress", namespaces=NS) == "csw@example.org"


def test_describe_record_and_get_domain(app, crige_grand_est):
    create_record(crige_grand_est)
    tree, _ = csw_get(app, request="DescribeRecord", typename="gmd:MD_Metadata",
                      outputformat="application/xml",
                      schemalanguage="http://www.w3.org/XML/Schema")
    assert tree.tag == f"{{{NS['csw']}}}DescribeRecordResponse"
    tree, _ = csw_get(app, request="GetDomain", propertyname="apiso:type")
    assert tree.xpath("//csw:Value/text()", namespaces=NS) == ["dataset"]


def test_the_sync_command_names_a_record_it_cannot_write(cli, crige_grand_est, monkeypatch,
                                                         ckan_config):
    from ckanext.ocsregistry.cli import ocsregistry

    good = create_record(crige_grand_est)
    bad = create_record(crige_grand_est, name="ocs-broken")
    real_row = repository.row

    def row(pkg):
        if pkg["name"] == "ocs-broken":
            raise ValueError("no document")
        return real_row(pkg)

    monkeypatch.setattr(repository, "row", row)
    result = cli.invoke(ocsregistry, ["csw-sync"])
    assert result.exit_code == 1
    assert "CSW: not written: ocs-broken: ValueError: no document" in result.output
    assert "1 public records written" in result.output
    assert rows() == {good["id"]: good["title"], bad["id"]: bad["title"]}  # its old row kept

    monkeypatch.setitem(ckan_config, "ckanext.ocsregistry.csw.enabled", False)
    result = cli.invoke(ocsregistry, ["csw-sync"])
    assert result.exit_code == 1 and "the CSW endpoint is off" in result.output
