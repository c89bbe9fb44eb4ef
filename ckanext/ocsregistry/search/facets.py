"""Search facets of the registry, labelled in the user's language."""
from __future__ import annotations

from typing import Any

from ckanext.ocsregistry import record, regions
from ckanext.ocsregistry.search import fields

__all__ = ["registry_facets", "item_label", "label_items", "FACET_FIELDS"]

# Each facet is titled with the label of the schema field it comes from; the
# pre-2016 facet has no field of its own (it is derived from two).
FACET_FIELDS = {
    fields.FACET_REGION: "region_name",
    fields.FACET_FORMER_REGION: None,
    fields.FACET_CHARACTERISTIC: "ocs_characteristic",
    fields.FACET_VINTAGE: "vintages",
    fields.FACET_DIMENSION: "dimensions",
    "organization": "owner_org",
}
_FORMER_REGION_TITLE = {"fr": "Région avant 2016", "en": "Pre-2016 region"}


def _title(facet: str) -> str:
    name = FACET_FIELDS[facet]
    labels = record.schema_field(name).get("label") if name else _FORMER_REGION_TITLE
    return record.label(labels)


CHOICE_FIELDS = {fields.FACET_CHARACTERISTIC: "ocs_characteristic",
                 fields.FACET_DIMENSION: "dimensions"}


def registry_facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The registry's facets first, then what other plugins added (tags...)."""
    ordered = {key: _title(key) for key in FACET_FIELDS}
    for key, title in facets_dict.items():
        if key not in ordered and key not in ("groups", "license_id", "res_format"):
            ordered[key] = title
    facets_dict.clear()
    facets_dict.update(ordered)
    return facets_dict


def item_label(facet: str, value: str) -> str:
    if facet in (fields.FACET_REGION, fields.FACET_FORMER_REGION):
        return regions.name(value)
    field_name = CHOICE_FIELDS.get(facet)
    if field_name:
        return record.choice_label(record.schema_field(field_name), value)
    return value


def label_items(search_facets: dict[str, Any]) -> None:
    for facet, data in search_facets.items():
        if facet in FACET_FIELDS and facet != "organization":
            for item in data.get("items", []):
                item["display_name"] = item_label(facet, item["name"])
