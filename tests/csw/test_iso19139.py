"""ISO 19139 documents of registry records: valid against the ISO 19139 XSD
(ckanext-spatial's copy and validator), CNIG's INSPIRE elements, public only."""
from __future__ import annotations

import pytest
from lxml import etree
from owslib.iso import MD_Metadata

from ckanext.spatial.validation.validation import ISO19139EdenSchema
from ckanext.ocsregistry import demo
from ckanext.ocsregistry.csw import iso19139

from ..conftest import RESTRICTED_VALUES, VALID_RECORD, as_user, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco",
      "gmx": "http://www.isotc211.org/2005/gmx", "gml": "http://www.opengis.net/gml/3.2",
      "xlink": "http://www.w3.org/1999/xlink"}


def assert_valid(xml: bytes) -> etree._Element:
    """Valid against ISO 19139 with GML 3.2.1 (the 2007 schemas INSPIRE's technical
    guidelines and the CNIG's guide require), as ckanext-spatial's
    ``iso19139eden`` validator checks it (its ``iso19139`` one is for GML 3.1)."""
    tree = etree.fromstring(xml)
    valid, errors = ISO19139EdenSchema.is_valid(tree)
    assert valid, errors
    return tree


def fetch(app, name: str, user: str | None = None, status: int = 200):
    return app.get(f"/ocsregistry/iso19139/{name}.xml", status=status, **as_user(user))


@pytest.mark.parametrize("text, expected", [
    ("1:2 500", 2500), ("1/5000", 5000), ("1 : 10\u00a0000", 10000), ("25000", 25000),
    ("1:5 000 à 1:10 000", None), ("", None), (None, None), ("1:1", None), ("échelle", None),
])
def test_scale_denominator(text, expected):
    assert iso19139.scale_denominator(text) == expected


def test_every_demo_record_is_valid_iso19139(app):
    report = demo.load()
    names = [d["name"] for d in demo.read()["datasets"]]
    assert report["datasets"] == len(names) > 10
    for name in names:
        response = fetch(app, name)
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
        tree = assert_valid(response.body.encode("utf-8") if isinstance(response.body, str)
                            else response.body)
        assert tree.findtext("gmd:identificationInfo//gmd:title/gco:CharacterString",
                             namespaces=NS)


def test_a_full_record_carries_the_cnig_elements(app, crige_grand_est):
    pkg = create_record(crige_grand_est, former_region_codes=["42", "21"])
    body = fetch(app, pkg["name"]).body
    tree = assert_valid(body.encode("utf-8"))
    md = MD_Metadata(tree)
    ident = md.identification[0]

    assert md.identifier == pkg["id"]
    assert md.language == "fre" or md.languagecode == "fre"
    assert md.charset == "utf8"
    assert md.hierarchy == "dataset"
    assert ident.title == VALID_RECORD["title"]
    assert ident.abstract == VALID_RECORD["notes"]
    assert tree.findtext(".//gmd:citation//gmd:identifier//gmd:code/gco:CharacterString",
                         namespaces=NS).endswith(f"/ocs/{pkg['id']}")
    # INSPIRE theme "Land cover" with the GEMET INSPIRE themes thesaurus and its date
    theme = tree.xpath("//gmd:MD_Keywords[gmd:thesaurusName]", namespaces=NS)[0]
    assert theme.xpath("gmd:keyword/gmx:Anchor/@xlink:href", namespaces=NS) == [
        "http://inspire.ec.europa.eu/theme/lc"]
    assert theme.xpath("gmd:keyword/gmx:Anchor/text()", namespaces=NS) == ["Occupation des terres"]
    assert theme.xpath(".//gmd:thesaurusName//gmd:title/gmx:Anchor/text()", namespaces=NS) == [
        "GEMET - INSPIRE themes, version 1.0"]
    assert theme.xpath(".//gmd:thesaurusName//gco:Date/text()", namespaces=NS) == ["2008-06-01"]
    free = tree.xpath("//gmd:MD_Keywords[not(gmd:thesaurusName)]/gmd:keyword/gco:CharacterString/text()",
                      namespaces=NS)
    assert "occupation du sol" in free and "Grand Est" in free
    # extent: the regions' bbox (the record's `spatial`), vintages 2010 -> 2019
    box = ident.bbox
    assert float(box.minx) < 4 < float(box.maxx) and float(box.miny) < 48 < float(box.maxy)
    assert (ident.temporalextent_start, ident.temporalextent_end) == ("2010-01-01", "2019-12-31")
    assert ident.denominators == ["2500", "5000"]
    assert ident.topiccategory == ["imageryBaseMapsEarthCover"]
    roles = [(c.organization, c.role) for c in ident.contact]
    assert (crige_grand_est["org"]["title"], "pointOfContact") in roles
    assert ("CLS", "originator") in roles and ("TTI", "originator") in roles
    assert md.contact[0].email == VALID_RECORD["contact_email"]
    assert md.datestamp == pkg["metadata_modified"][:10]
    lineage = md.dataquality.lineage
    assert "CLS, TTI" in lineage and VALID_RECORD["imagery"] in lineage
    assert tree.xpath("//gmd:DQ_ConformanceResult//gmd:title/gco:CharacterString/text()",
                      namespaces=NS)[0].startswith("Règlement (UE) n° 1089/2010")
    assert ident.accessconstraints == ["otherRestrictions"]
    assert ident.useconstraints == ["otherRestrictions"]
    urls = [o.url for o in md.distribution.online]
    assert VALID_RECORD["data_url"] in urls and VALID_RECORD["viewer_url"] in urls


def test_a_record_without_notes_scales_or_licence_is_still_valid(app, crige_grand_est):
    pkg = create_record(crige_grand_est, notes="", interpretation_scale="environ 1:5 000 ?",
                        rendering_scale="", producers=[], imagery="",
                        title="OCS <test> & \"quotes\"")
    tree = assert_valid(fetch(app, pkg["name"]).body.encode("utf-8"))
    ident = MD_Metadata(tree).identification[0]
    assert ident.title == "OCS <test> & \"quotes\""
    assert "Grand Est" in ident.abstract
    assert ident.denominators == []


@pytest.mark.parametrize("who", [None, "member", "sysadmin"])
def test_no_restricted_value_whoever_asks(app, crige_grand_est, sysadmin, who):
    pkg = create_record(crige_grand_est)
    user = {"member": crige_grand_est["member"]["name"],
            "sysadmin": sysadmin["name"]}.get(who)
    body = fetch(app, pkg["name"], user=user).body
    for value in RESTRICTED_VALUES.values():
        assert str(value) not in body
    for text in ("zanzibarfund", "FEDER", "45000", "1250000"):
        assert text not in body


def test_private_deleted_and_unknown_records_are_not_found(app, crige_grand_est):
    private = create_record(crige_grand_est, name="ocs-private", private=True)
    deleted = create_record(crige_grand_est, name="ocs-deleted")
    app.post("/api/3/action/package_delete", json={"id": deleted["id"]},
             **as_user(crige_grand_est["editor"]["name"]))
    fetch(app, private["name"], status=404)
    fetch(app, private["name"], user=crige_grand_est["editor"]["name"], status=404)
    fetch(app, deleted["name"], status=404)
    fetch(app, "no-such-record", status=404)


def test_licence_and_update_frequency(app, crige_grand_est):
    """The licence fields (CKAN's ``license_*``) and the EU update frequency,
    read with ``.get()``: the document is the same with or without them."""
    from ckanext.ocsregistry.csw import records

    pkg = records.public_record(create_record(crige_grand_est)["name"])
    open_pkg = dict(pkg, license_id="odc-odbl", license_title="Open Data Commons ODbL",
                    license_url="http://www.opendefinition.org/licenses/odc-odbl",
                    update_frequency="ANNUAL")
    tree = assert_valid(iso19139.document(open_pkg))
    anchors = tree.xpath("//gmd:otherConstraints/gmx:Anchor", namespaces=NS)
    assert [(a.get(f"{{{NS['xlink']}}}href"), a.text) for a in anchors] == [
        ("http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
         "Pas de restriction d'accès public"),
        ("http://www.opendefinition.org/licenses/odc-odbl", "Open Data Commons ODbL")]
    assert tree.xpath("//gmd:resourceMaintenance//gmd:MD_MaintenanceFrequencyCode/@codeListValue",
                      namespaces=NS) == ["annually"]

    unknown = dict(pkg, license_id="", update_frequency="NOT-A-CODE")
    tree = assert_valid(iso19139.document(unknown))
    assert tree.xpath("//gmd:otherConstraints/gmx:Anchor", namespaces=NS) == []
    assert "Licence non renseignée" in etree.tostring(tree, encoding="unicode")
    assert tree.xpath("//gmd:resourceMaintenance", namespaces=NS) == []
