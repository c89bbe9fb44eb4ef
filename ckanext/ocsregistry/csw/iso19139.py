"""ISO 19139 (ISO 19115:2003) document of a registry record, following the
CNIG's guide for INSPIRE dataset metadata.

The document is rendered from ``iso19139.xml.j2``, a Jinja template in the
manner of pygeometa's ISO 19139 output (its character-string macro and date
filter are reused) with autoescaping on, so no value can break the XML. The
template needs more than pygeometa's stock ``iso19139`` (one party per role,
no resource identifier, no scale, no thesaurus date, no conformity), which
the CNIG's guide asks for.

Only the fields listed in ``_describe`` are read: restricted values (funding,
prices) cannot reach a document whatever the dict holds.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from functools import lru_cache
from typing import Any, Optional

import jinja2
from pygeometa.core import SCHEMAS as PYGEOMETA_TEMPLATES, normalize_datestring

import ckan.plugins.toolkit as tk

from ckanext.ocsregistry import record, regions
from ckanext.ocsregistry.table import columns

__all__ = ["GMD", "REGULATION", "REGULATION_DATE", "INSPIRE_THEME", "TOPIC_CATEGORY", "document",
           "describe", "render", "scale_denominator", "record_identifier"]

GMD = "http://www.isotc211.org/2005/gmd"
_HERE = os.path.dirname(__file__)

# EU frequency authority codes (field ``update_frequency``) -> ISO 19115
# MD_MaintenanceFrequencyCode; codes ISO has no word for are left out.
MAINTENANCE_FREQUENCIES = {
    "CONT": "continual", "DAILY": "daily", "WEEKLY": "weekly", "BIWEEKLY": "fortnightly",
    "MONTHLY": "monthly", "QUARTERLY": "quarterly", "ANNUAL_2": "biannually",
    "ANNUAL": "annually", "AS_NEEDED": "asNeeded", "IRREG": "irregular",
    "NEVER": "notPlanned", "UNKNOWN": "unknown",
}
# Licences under which the data are open: INSPIRE's "no limitations on public
# access" is then stated; otherwise the access conditions are said unknown.
OPEN_LICENCES = ("etalab-2.0", "lov2", "fr-lo", "odc-odbl", "odc-by", "odc-pddl", "cc-by",
                 "cc-by-sa", "cc-zero", "cc0")
# CNIG: conformity to the INSPIRE interoperability regulation, "not evaluated".
REGULATION = ("Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010 portant "
              "modalités d'application de la directive 2007/2/CE du Parlement européen et du "
              "Conseil en ce qui concerne l'interopérabilité des séries et des services de "
              "données géographiques")
REGULATION_DATE = "2010-12-08"
INSPIRE_THEME = ("Occupation des terres", "http://inspire.ec.europa.eu/theme/lc")
TOPIC_CATEGORY = "imageryBaseMapsEarthCover"
NO_LIMITATIONS = ("Pas de restriction d'accès public",
                  "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations")
ACCESS_UNKNOWN = "Conditions d'accès non renseignées dans le registre : s'adresser au contact."
LICENCE_UNKNOWN = "Licence non renseignée dans le registre : s'adresser au contact."
_SCALE = re.compile(r"^\s*(?:1\s*[:/]\s*)?((?:\d[\d\s\u00a0\u202f.]*)?\d)\s*$")


def scale_denominator(text: Any) -> Optional[int]:
    """``"1:2 500"``, ``"1/5000"``, ``"1 : 10 000"`` or ``"25000"`` -> the
    denominator; None for anything else (free text such as "1:5 000 à 1:10 000")."""
    match = _SCALE.match(str(text or ""))
    if not match:
        return None
    digits = re.sub(r"[\s\u00a0\u202f.]", "", match.group(1))
    value = int(digits) if digits.isdigit() else 0
    return value if value > 1 else None


def record_identifier(pkg: dict[str, Any]) -> str:
    """The resource's unique identifier: the record's stable address (by id)."""
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}/{record.DATASET_TYPE}/{pkg['id']}"


def _bbox(pkg: dict[str, Any]) -> Optional[tuple[float, float, float, float]]:
    """West, south, east, north of the record's ``spatial`` (GeoJSON), else its regions'."""
    try:
        geometry = json.loads(pkg.get("spatial") or "")
        points = _points(geometry["coordinates"])
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return (min(xs), min(ys), max(xs), max(ys))
    except (ValueError, KeyError, TypeError, IndexError):
        codes = list(pkg.get("former_region_codes") or []) or [pkg.get("region_code") or ""]
        return regions.bbox(codes)


def _points(coordinates: Any) -> list[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [(float(coordinates[0]), float(coordinates[1]))]
    return [p for part in coordinates for p in _points(part)]


def _date(value: Any) -> Optional[str]:
    text = str(value or "")[:10]
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _labels(field_name: str, values: Any) -> list[str]:
    field = record.schema_field(field_name)
    if isinstance(values, str):
        values = [values]
    return [record.choice_label(field, v, "fr") for v in values or [] if v]


def _abstract(pkg: dict[str, Any], region: str, characteristic: str) -> str:
    notes = (pkg.get("notes") or "").strip()
    if notes:
        return notes
    # CNIG: the abstract is mandatory; say what the record is when it has no notes.
    return (f"Base d'occupation du sol (OCS) régionale de la région {region}"
            + (f" : {characteristic}." if characteristic else "."))


def _lineage(pkg: dict[str, Any], first: Any, last: Any) -> str:
    parts = []
    producers = ", ".join(p for p in pkg.get("producers") or [] if p)
    if producers:
        parts.append(f"Producteurs : {producers}.")
    if pkg.get("imagery"):
        parts.append(f"Imagerie source : {pkg['imagery']}.")
    if pkg.get("interpretation_scale"):
        parts.append(f"Échelle d'interprétation : {pkg['interpretation_scale']}.")
    if pkg.get("mmu"):
        parts.append(f"Unité minimale de collecte : {pkg['mmu']}.")
    if pkg.get("quality_control"):
        parts.append(f"Contrôle qualité : {pkg['quality_control']}")
    years = [f"{v.get('year')} ({record.choice_label(record.schema_field('vintages', 'status'), v.get('status'), 'fr')})"
             for v in pkg.get("vintages") or [] if isinstance(v, dict) and v.get("year")]
    if years:
        parts.append("Millésimes : " + ", ".join(years) + ".")
    return " ".join(parts) or "Généalogie non renseignée dans le registre."


def describe(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the template shows of a record (only whitelisted, public fields)."""
    region = regions.name(str(pkg.get("region_code") or "")) or str(pkg.get("region_code") or "")
    characteristic = ", ".join(_labels("ocs_characteristic", pkg.get("ocs_characteristic")))
    organization = pkg.get("organization") or {}
    crige = organization.get("title") or organization.get("name") or ""
    first = columns.vintage_summary(columns.FIRST_VINTAGE, pkg.get("vintages"))
    last = columns.vintage_summary(columns.LATEST_AVAILABLE, pkg.get("vintages"))
    scales = []
    for text in (pkg.get("interpretation_scale"), pkg.get("rendering_scale")):
        denominator = scale_denominator(text)
        if denominator and denominator not in scales:
            scales.append(denominator)
    licence_id = pkg.get("license_id") or ""
    licence_title = pkg.get("license_title") or licence_id
    email = pkg.get("contact_email") or ""
    created = _date(pkg.get("metadata_created")) or dt.date.today().isoformat()
    modified = _date(pkg.get("metadata_modified")) or created
    keywords = ["occupation du sol", region, *_labels("ocs_characteristic", pkg.get("ocs_characteristic")),
                *_labels("dimensions", pkg.get("dimensions"))]
    links = [(pkg.get("data_url"), "WWW:LINK", "Accès aux données", "download"),
             (pkg.get("viewer_url"), "WWW:LINK", "Visualiseur", "browsing"),
             (record.url(pkg["name"]), "WWW:LINK", "Fiche du registre des OCS régionales",
              "information")]
    return {
        "file_identifier": pkg["id"],
        "identifier": record_identifier(pkg),
        "title": pkg.get("title") or pkg["name"],
        "abstract": _abstract(pkg, region, characteristic),
        "metadata_date": modified,
        "created": created,
        "revised": modified,
        "crige": crige,
        "contact_name": pkg.get("contact_name") or "",
        "email": email,
        "producers": [p for p in pkg.get("producers") or [] if p],
        "keywords": [k for k in dict.fromkeys(keywords) if k],
        "region_code": str(pkg.get("region_code") or ""),
        "bbox": _bbox(pkg),
        "begin": f"{first}-01-01" if first != "" else None,
        "end": f"{last}-12-31" if last != "" else None,
        "scales": scales,
        "lineage": _lineage(pkg, first, last),
        "licence_title": licence_title,
        "licence_url": pkg.get("license_url") or "",
        "open_access": licence_id.lower() in OPEN_LICENCES,
        "access_text": NO_LIMITATIONS[0] if licence_id.lower() in OPEN_LICENCES else ACCESS_UNKNOWN,
        "use_text": licence_title or LICENCE_UNKNOWN,
        "frequency": MAINTENANCE_FREQUENCIES.get(str(pkg.get("update_frequency") or "").upper()),
        "links": [{"url": url, "protocol": protocol, "name": name, "function": function}
                  for url, protocol, name, function in links if url],
    }


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([_HERE, PYGEOMETA_TEMPLATES]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["normalize_datestring"] = normalize_datestring
    return env.get_template("iso19139.xml.j2")


def document(pkg: dict[str, Any]) -> bytes:
    """The record's ISO 19139 document (UTF-8 bytes)."""
    return render(describe(pkg))


def render(md: dict[str, Any]) -> bytes:
    """The ISO 19139 document of ``describe()``'s description (UTF-8 bytes)."""
    return _template().render(md=md, regulation=REGULATION, regulation_date=REGULATION_DATE,
                              theme=INSPIRE_THEME, topic_category=TOPIC_CATEGORY,
                              no_limitations=NO_LIMITATIONS).encode("utf-8")
