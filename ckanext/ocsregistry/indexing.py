"""What the search index holds for a registry record.

CKAN's stock Solr schema is kept: facet values go into the multi-valued
``vocab_*`` string fields, and the record's own fields into ``extras_*`` text
fields, which CKAN's schema copies into the free-text ``text`` field. Lists are
flattened so that nothing reaches Solr's single-valued catch-all ``*`` field.
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.ocsregistry import regions

FACET_REGION = "vocab_ocsregistry_region"
FACET_FORMER_REGION = "vocab_ocsregistry_former_region"
FACET_CHARACTERISTIC = "vocab_ocsregistry_characteristic"
FACET_VINTAGE = "vocab_ocsregistry_vintage"
FACET_DIMENSION = "vocab_ocsregistry_dimension"
# "name|modified" of each record: lets the map and the export list matching
# records from a facet, without reading the stored documents (record_cache)
FACET_KEY = "vocab_ocsregistry_key"

# ckanext-spatial reads these two before removing them from the index document
_SPATIAL_KEYS = ("spatial", "extras_spatial")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ; ".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values() if v not in (None, ""))
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


def index_document(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Rewrite CKAN's index document of a registry record, in place."""
    schema = scheming_get_dataset_schema(pkg_dict.get("type"))
    validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    core = {"title", "name", "owner_org", "notes"}
    for field in schema["dataset_fields"]:
        key = field["field_name"]
        if key in core or key in _SPATIAL_KEYS:
            continue
        pkg_dict.pop(key, None)
        value = _text(validated.get(key))
        if value:
            pkg_dict["extras_" + key] = value
        else:
            pkg_dict.pop("extras_" + key, None)
    for facet, values in facet_values(validated).items():
        if values:
            pkg_dict[facet] = values
    pkg_dict[FACET_KEY] = [f"{validated['name']}|{modified_stamp(validated.get('metadata_modified'))}"]
    return pkg_dict
