"""Search facets of the registry, labelled in the user's language."""
from __future__ import annotations

from typing import Any

from ckanext.ocsregistry import indexing, regions, registry_table
from ckanext.ocsregistry.helpers import current_lang, ocsregistry_label

FACET_TITLES = {
    indexing.FACET_REGION: {"fr": "Région", "en": "Region"},
    indexing.FACET_FORMER_REGION: {"fr": "Région avant 2016", "en": "Pre-2016 region"},
    indexing.FACET_CHARACTERISTIC: {"fr": "Caractéristique de l'OCS", "en": "OCS characteristic"},
    indexing.FACET_VINTAGE: {"fr": "Millésime", "en": "Vintage"},
    indexing.FACET_DIMENSION: {"fr": "Dimension", "en": "Dimension"},
    "organization": {"fr": "CRIGE", "en": "CRIGE"},
}


CHOICE_FIELDS = {indexing.FACET_CHARACTERISTIC: "ocs_characteristic",
                 indexing.FACET_DIMENSION: "dimensions"}


def registry_facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The registry's facets first, then what other plugins added (tags...)."""
    ordered = {key: ocsregistry_label(title) for key, title in FACET_TITLES.items()}
    for key, title in facets_dict.items():
        if key not in ordered and key not in ("groups", "license_id", "res_format"):
            ordered[key] = title
    facets_dict.clear()
    facets_dict.update(ordered)
    return facets_dict


def item_label(facet: str, value: str) -> str:
    if facet in (indexing.FACET_REGION, indexing.FACET_FORMER_REGION):
        return regions.name(value)
    field_name = CHOICE_FIELDS.get(facet)
    if field_name:
        return registry_table.choice_label(registry_table.schema_field(field_name), value,
                                           current_lang())
    return value


def label_items(search_facets: dict[str, Any]) -> None:
    for facet, data in search_facets.items():
        if facet in FACET_TITLES and facet != "organization":
            for item in data.get("items", []):
                item["display_name"] = item_label(facet, item["name"])
