"""Search facets of the registry, labelled in the user's language."""
from __future__ import annotations

from typing import Any

from ckanext.ocsregistry import record, regions
from ckanext.ocsregistry.search import fields

__all__ = ["registry_facets", "item_label", "label_items", "FACET_FIELDS", "TRAIT_LABELS"]

# Each facet is titled with the label of the schema field it comes from; the
# pre-2016 facet has no field of its own (it is derived from two).
FACET_FIELDS = {
    fields.FACET_REGION: "region_name",
    fields.FACET_FORMER_REGION: None,
    fields.FACET_CHARACTERISTIC: "ocs_characteristic",
    fields.FACET_VINTAGE: "vintages",
    fields.FACET_DIMENSION: "dimensions",
    fields.FACET_TRAIT: None,
    "organization": "owner_org",
}
# Titles of the facets derived from several fields
_OWN_TITLES = {
    fields.FACET_FORMER_REGION: {"fr": "Région avant 2016", "en": "Pre-2016 region"},
    fields.FACET_TRAIT: {"fr": "Couverture", "en": "Coverage"},
}
# Labels of the record traits (search/summary.py says how each is defined)
TRAIT_LABELS = {
    "large_scale": {"fr": "Grande échelle (1:10 000 ou plus fine)",
                    "en": "Large scale (1:10,000 or finer)"},
    "two_dimensions": {"fr": "Couverture et usage du sol", "en": "Land cover and land use"},
    "in_production": {"fr": "Millésime en production", "en": "Vintage in production"},
    "planned": {"fr": "Millésime prévu", "en": "Vintage planned"},
}


def _title(facet: str) -> str:
    name = FACET_FIELDS[facet]
    labels = record.schema_field(name).get("label") if name else _OWN_TITLES[facet]
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
    if facet == fields.FACET_TRAIT:
        return record.label(TRAIT_LABELS[value]) if value in TRAIT_LABELS else value
    field_name = CHOICE_FIELDS.get(facet)
    if field_name:
        return record.choice_label(record.schema_field(field_name), value)
    return value


def label_items(search_facets: dict[str, Any]) -> None:
    for facet, data in search_facets.items():
        if facet in FACET_FIELDS and facet != "organization":
            for item in data.get("items", []):
                item["display_name"] = item_label(facet, item["name"])
