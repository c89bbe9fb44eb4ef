"""What the search index holds for a registry record: the one entry point.

``prepare`` is called for every document CKAN indexes (``before_dataset_index``).
It reads the record once, removes restricted values whatever put them there
(``restricted.derived``), writes the record's fields as ``extras_*`` text
(which CKAN's schema copies into the free-text ``text`` field) and its facets,
its review due date, then stores the record's digest for the map and the export (``digests``).
Lists are flattened so that nothing reaches Solr's single-valued catch-all
``*`` field.
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.ocsregistry import record, review
from ckanext.ocsregistry.restricted import derived
from ckanext.ocsregistry.search import digests, fields, summary

__all__ = ["prepare"]

# Kept as CKAN wrote them: the core fields CKAN indexes itself, and the two that
# ckanext-spatial reads before removing them from the document.
_LEFT_TO_CKAN = {"title", "name", "owner_org", "notes", "spatial"}


def prepare(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Rewrite CKAN's index document of a record, in place, and store its digest."""
    if pkg_dict.get("type") != record.DATASET_TYPE:
        return pkg_dict
    validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    derived.clean_index_document(pkg_dict, validated)
    pkg_dict["validated_data_dict"] = json.dumps(validated)
    for field in record.schema_fields():
        name = field["field_name"]
        if name in _LEFT_TO_CKAN:
            continue
        pkg_dict.pop(name, None)
        value = fields.text(validated.get(name))
        if value:
            pkg_dict["extras_" + name] = value
        else:
            pkg_dict.pop("extras_" + name, None)
    facets = fields.facet_values(validated)
    pkg_dict.update({facet: values for facet, values in facets.items() if values})
    pkg_dict[fields.FACET_KEY] = [fields.key(validated)]
    # search, the map and the review pages filter and sort on it without
    # reading the records (review.py says when a record is due)
    due = review.index_value(validated)
    if due:
        pkg_dict[review.SOLR_FIELD] = due
    summed = summary.index_values(validated, {"2016": facets[fields.FACET_REGION],
                                              "pre-2016": facets[fields.FACET_FORMER_REGION]})
    for facet, values in ((fields.FACET_TRAIT, summed["traits"]),
                          (fields.FACET_LATEST_VINTAGE, summed["latest"]),
                          (fields.FACET_REGION_SUMMARY, summed["cells"])):
        if values:
            pkg_dict[facet] = values
    digests.store([(validated, facets)])
    return pkg_dict
