"""The search fields of a registry record: facets and the record key.

CKAN's stock Solr schema is kept: facet values go into the multi-valued
``vocab_*`` string fields (copied into the free-text ``text`` field).
"""
from __future__ import annotations

import json
from typing import Any

__all__ = ["FACET_REGION", "FACET_FORMER_REGION", "FACET_CHARACTERISTIC", "FACET_VINTAGE",
           "FACET_DIMENSION", "FACET_KEY", "FACET_TRAIT", "FACET_LATEST_VINTAGE",
           "FACET_REGION_SUMMARY", "text", "facet_values", "modified_stamp", "key"]

from ckanext.ocsregistry import regions

FACET_REGION = "vocab_ocsregistry_region"
FACET_FORMER_REGION = "vocab_ocsregistry_former_region"
FACET_CHARACTERISTIC = "vocab_ocsregistry_characteristic"
FACET_VINTAGE = "vocab_ocsregistry_vintage"
FACET_DIMENSION = "vocab_ocsregistry_dimension"
# "name|modified" of each record: lets the map and the export list matching
# records from a facet, without reading the stored documents (digests)
FACET_KEY = "vocab_ocsregistry_key"
# Summaries counted by facets (search/summary.py): record traits, the latest
# available vintage, and the same per region ("era|region|kind|value")
FACET_TRAIT = "vocab_ocsregistry_trait"
FACET_LATEST_VINTAGE = "vocab_ocsregistry_latest_vintage"
FACET_REGION_SUMMARY = "vocab_ocsregistry_region_summary"

def text(value: Any) -> str:
    """A field's value as one searchable text (lists joined, dicts' values)."""
    if isinstance(value, list):
        return " ; ".join(text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return " ".join(text(v) for v in value.values() if v not in (None, ""))
    return "" if value is None else str(value)


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value else []
    return [str(v) for v in value or []]


def modified_stamp(value: Any) -> str:
    return str(value or "")[:19]


def facet_values(data: dict[str, Any]) -> dict[str, list[str]]:
    region_code = data.get("region_code") or ""
    former = _codes(data.get("former_region_codes"))
    vintages = data.get("vintages") or []
    return {
        FACET_REGION: [region_code] if region_code else [],
        FACET_FORMER_REGION: regions.covered_pre_2016_codes(region_code, former) if region_code else [],
        FACET_CHARACTERISTIC: [data["ocs_characteristic"]] if data.get("ocs_characteristic") else [],
        FACET_VINTAGE: sorted({str(v["year"]) for v in vintages if isinstance(v, dict) and v.get("year")}),
        FACET_DIMENSION: _codes(data.get("dimensions")),
    }




def key(data: dict[str, Any]) -> str:
    """The value of FACET_KEY: "name|modified"."""
    return f"{data['name']}|{modified_stamp(data.get('metadata_modified'))}"
