"""The CSW 2.0.2 endpoint: pycsw's server on the registry's records table.

pycsw answers every request (GetCapabilities, DescribeRecord, GetDomain,
GetRecords, GetRecordById; KVP and XML), reading ``repository.CswRecord``
through CKAN's database session (``Repository``), with the ISO Application
Profile (``apiso``) for ISO 19139 output and queryables. No transactions, no
harvesting into the registry, and no gzip (pycsw 2.6 sends a wrong
Content-Length with it).

Before pycsw sees a request, queryable names are given pycsw's own case
(``apiso:type`` -> ``apiso:Type``): CSW clients differ there and pycsw only
knows its spelling. After it, an exception report is answered with a 400
status rather than pycsw's 200, and the content type is pycsw's, never a
value taken from the request.
"""
from __future__ import annotations

import configparser
import io
import logging
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from lxml import etree
from pycsw.core import repository as pycsw_repository
from pycsw.core.config import StaticContext
from pycsw.plugins.profiles.apiso.apiso import APISO
from pycsw.server import Csw

from ckan import model
import ckan.plugins.toolkit as tk

from ckanext.ocsregistry.csw.repository import TABLE_NAME, CswRecord

log = logging.getLogger(__name__)

__all__ = ["Repository", "handle", "normalise_names", "queryable_names"]

XML_TYPE = "application/xml; charset=UTF-8"
CONTENT_TYPES = {XML_TYPE, "application/json"}
MAX_BODY = 1_000_000  # a CSW request is a few kilobytes
# Elements of a POST request whose text names a queryable.
NAME_ELEMENTS = {"{http://www.opengis.net/ogc}PropertyName",
                 "{http://www.opengis.net/cat/csw/2.0.2}ElementName",
                 "{http://www.opengis.net/cat/csw/2.0.2}CqlText",
                 "{http://www.opengis.net/cat/csw/2.0.2}PropertyName"}
# KVP parameters (lower case, as pycsw reads them) whose value names queryables.
NAME_PARAMETERS = {"constraint", "sortby", "elementname", "propertyname"}
_NAME = re.compile(r"\b(apiso|dc|dct|csw|ows):([A-Za-z_]+)\b", re.IGNORECASE)
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Repository(pycsw_repository.Repository):
    """pycsw's repository on ``ocsregistry_csw_record`` through CKAN's session.

    pycsw's own constructor opens an engine of its own, reflects the table and
    probes for PostGIS on every request; the table is known (``CswRecord``)
    and the database has no PostGIS, so only the queryables are set up here.
    Spatial filters call ``query_spatial``, a SQL function the migration creates.
    """

    def __init__(self, context: Any, repo_filter: Any = None) -> None:  # noqa: D107
        self.context = context
        self.filter = repo_filter
        self.fts = False
        self.postgis_geometry_column = None
        self.dataset = CswRecord
        self.dbtype = "postgresql"
        self.session = model.Session
        self.engine = model.Session.get_bind()
        self.queryables = {}
        for typename in context.model["typenames"].values():
            for name, queryables in typename["queryables"].items():
                self.queryables.setdefault(name, {}).update(queryables)
        self.queryables["_all"] = {}
        for queryables in list(self.queryables.values()):
            self.queryables["_all"].update(queryables)
        self.queryables["_all"].update(context.md_core_model["mappings"])


@lru_cache(maxsize=1)
def queryable_names() -> dict[str, str]:
    """``{lower-case name: pycsw's name}`` of every Dublin Core and ISO queryable."""
    context = StaticContext()
    context.set_model("csw")
    names = list(context.model["typenames"]["csw:Record"]["queryables"]
                 ["SupportedDublinCoreQueryables"])
    for group in APISO(context.model, context.namespaces, context).repository["queryables"].values():
        names.extend(group)
    return {name.lower(): name for name in names}


def normalise_names(text: str) -> str:
    """Queryable names in ``text`` (a CQL constraint, a property name) in pycsw's case."""
    known = queryable_names()
    return _NAME.sub(lambda m: known.get(m.group(0).lower(), m.group(0)), text)


def _normalise_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, normalise_names(v) if k.lower() in NAME_PARAMETERS else v)
                      for k, v in pairs])


def _normalise_body(body: bytes) -> bytes:
    try:
        root = etree.fromstring(body, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return body  # pycsw answers it with its own exception report
    for element in root.iter(*NAME_ELEMENTS):
        if element.text:
            element.text = normalise_names(element.text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _text(value: Any) -> str:
    return str(value or "")


def _config(url: str) -> configparser.ConfigParser:
    """pycsw's configuration from CKAN's (no interpolation: site texts are taken as they are)."""
    c = tk.config
    title = c.get("ckanext.ocsregistry.csw.title") or c.get("ckan.site_title") or "CKAN"
    abstract = (c.get("ckanext.ocsregistry.csw.abstract") or c.get("ckan.site_description")
                or "Registre des bases d'occupation du sol (OCS) régionales")
    sections: dict[str, dict[str, Any]] = {
        "server": {
            "home": "", "url": url, "mimetype": XML_TYPE, "encoding": "UTF-8",
            "language": "fr-FR", "maxrecords": c.get("ckanext.ocsregistry.csw.max_records"),
            "pretty_print": "false", "profiles": "apiso", "domainquerytype": "list",
            "domaincounts": "false", "spatial_ranking": "false",
        },
        "manager": {"transactions": "false", "allowed_ips": ""},
        "metadata:main": {
            "identification_title": title, "identification_abstract": abstract,
            "identification_keywords": "occupation du sol,OCS,land cover,INSPIRE,CRIGE",
            "identification_keywords_type": "theme", "identification_fees": "None",
            "identification_accessconstraints": "None",
            "provider_name": c.get("ckanext.ocsregistry.csw.provider_name") or title,
            "provider_url": c.get("ckan.site_url"),
            "contact_name": c.get("ckanext.ocsregistry.csw.contact_name") or title,
            "contact_position": "", "contact_address": "", "contact_city": "",
            "contact_stateorprovince": "", "contact_postalcode": "", "contact_country": "France",
            "contact_phone": "", "contact_fax": "",
            "contact_email": c.get("ckanext.ocsregistry.csw.contact_email")
            or c.get("ckan.site_email") or "",
            "contact_url": c.get("ckan.site_url"), "contact_hours": "",
            "contact_instructions": "", "contact_role": "pointOfContact",
        },
        "metadata:inspire": {"enabled": "false"},
        "repository": {"source": f"{__name__}.Repository", "table": TABLE_NAME,
                       "database": "unused"},
    }
    config = configparser.ConfigParser(interpolation=None)
    for section, options in sections.items():
        config.add_section(section)
        for key, value in options.items():
            config.set(section, key, _text(value))
    return config


def handle(environ: dict[str, Any], url: str) -> tuple[int, dict[str, str], bytes]:
    """Answer one CSW request (a WSGI environ): status, headers, body."""
    environ = dict(environ)
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(min(max(length, 0), MAX_BODY + 1))
        body = b"" if len(body) > MAX_BODY else _normalise_body(body)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    else:
        environ["QUERY_STRING"] = _normalise_query(environ.get("QUERY_STRING", ""))
    csw = Csw(_config(url), environ, version="2.0.2")
    # pycsw sets this only for its own repository; a custom one is taken for
    # Django's ORM (its "%s" placeholders) unless told otherwise.
    csw.orm = "sqlalchemy"
    try:
        status, body = csw.dispatch_wsgi()
    except Exception:  # noqa: BLE001 - pycsw's answer for what it did not foresee
        log.exception("CSW request failed")
        csw.response = csw.iface.exceptionreport(
            "NoApplicableCode", "service", "The request could not be processed")
        status, body = csw._write_response()
    code = int(str(status).split()[0])
    if csw.exception and code < 400:
        code = 400  # an OWS exception report answers a bad request
    content_type = csw.contenttype if getattr(csw, "contenttype", None) in CONTENT_TYPES \
        else XML_TYPE
    return code, {"Content-Type": content_type, "X-Content-Type-Options": "nosniff"}, body
