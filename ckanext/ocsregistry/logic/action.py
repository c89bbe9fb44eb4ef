"""Actions of the OCS registry (all side-effect free)."""
from __future__ import annotations

import datetime
import json
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import indicators, national_map, regions
from ckanext.ocsregistry.search import digests, fields, query, summary
from ckanext.ocsregistry.logic import schema as ocs_schema
# CKAN's own write actions, chained: they refuse misshapen data (logic/shape.py).
from ckanext.ocsregistry.logic.shape import package_create, package_update

__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_region_summary",
           "ocsregistry_indicators", "package_create", "package_update"]


def validate_filters(data_dict: dict[str, Any], schema: dict, context: dict) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    low, high = data.get("ext_vintage_from"), data.get("ext_vintage_to")
    if low and high and low > high and not errors.get("ext_vintage_to"):
        errors["ext_vintage_to"] = [tk._("Must not be before the start of the vintage range")]
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def ocsregistry_region_list(context: dict, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The INSEE regions records can refer to, with their extent.

    :param era: ``2016`` (current regions, default) or ``pre-2016`` (the
        regions as they were before the 2016 merger)
    :returns: a list of ``{code, name, era, current_code, predecessors, bbox}``
    """
    tk.check_access("ocsregistry_region_list", context, data_dict)
    data, errors = tk.navl_validate(data_dict, ocs_schema.region_list_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    listed = regions.current_regions() if data["era"] == "2016" else regions.pre_2016_regions()
    return [
        {
            "code": r.code,
            "name": r.name,
            "era": r.era,
            "current_code": r.current_code,
            "predecessors": regions.predecessors(r.code),
            "bbox": list(regions.bbox([r.code]) or []),
        }
        for r in listed
    ]


@tk.side_effect_free
def ocsregistry_map_data(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The national map's data: every region with the registry's bases there.

    One search (paged by ``ckan.search.rows_max``) over the records the user
    may see. Filters take the catalogue search's parameter names.

    :param era: ``2016`` (current regions, default) or ``pre-2016`` (also
        written ``pre2016``)
    :param q: free text
    :param vocab_ocsregistry_characteristic: OCS characteristic code(s)
    :param vocab_ocsregistry_dimension: ``land_cover`` or ``land_use``
    :param organization: CRIGE (organisation name)
    :param vocab_ocsregistry_region: current region code(s)
    :param ext_vintage_from: earliest vintage year
    :param ext_vintage_to: latest vintage year
    :param ext_bbox: ``west,south,east,north``
    :returns: ``{era, count, legend, regions: [{code, name, status,
        status_label, color, bases: [...]}]}``
    """
    tk.check_access("ocsregistry_map_data", context, data_dict)
    filters = validate_filters(data_dict, ocs_schema.map_data_schema(), context)
    search = query.package_search_params(filters)
    entries = (json.loads(v) for v in digests.iter_values(context, search, "map"))
    return national_map.build(entries, filters["era"])


@tk.side_effect_free
def ocsregistry_region_summary(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What the registry holds in each region, counted by the search index.

    One faceted search, whatever the number of records (search/summary.py):
    the map's colours, the registry home's indicators and the timeline read
    it; ``ocsregistry_map_data`` lists the bases themselves. Same filters as
    ``ocsregistry_map_data``, plus ``vocab_ocsregistry_trait`` (``large_scale``,
    ``two_dimensions``, ``in_production``, ``planned``) and
    ``ext_latest_vintage_from`` (latest available vintage that year or later).

    :returns: ``{era, count, traits: {trait: records}, legend, regions: [{code,
        name, status, status_label, color, coverage, fill_under, record_count,
        characteristics: [{value, label, count, partial}], traits: {trait:
        records}, latest_vintage}]}``
    """
    tk.check_access("ocsregistry_region_summary", context, data_dict)
    filters = validate_filters(data_dict, ocs_schema.map_data_schema(), context)
    search = query.package_search_params(filters)
    result = tk.get_action("package_search")(dict(context), dict(
        search, rows=0, include_private=True, **{
            "facet.field": [fields.FACET_REGION_SUMMARY, fields.FACET_TRAIT],
            "facet.limit": -1, "facet.mincount": 1}))
    facets = result["search_facets"]
    cells = facets.get(fields.FACET_REGION_SUMMARY, {}).get("items", [])
    traits = {item["name"]: item["count"]
              for item in facets.get(fields.FACET_TRAIT, {}).get("items", [])}
    return national_map.build_summary(
        summary.parse_counts(cells, filters["era"]), result["count"],
        {t: traits.get(t, 0) for t in summary.TRAITS}, filters["era"])


@tk.side_effect_free
def ocsregistry_indicators(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The registry home's coverage indicators, over the current regions.

    Each indicator has its ``value`` (of ``of`` regions or records), its
    ``label`` and ``definition`` (from the record's fields) in the request's
    language, and the catalogue search ``filters`` listing its records.

    :returns: ``{as_of, indicators: [{key, value, of, unit, label, definition,
        filters}], summary}`` (``summary``: ``ocsregistry_region_summary``)
    """
    tk.check_access("ocsregistry_indicators", context, data_dict)
    summary_data = tk.get_action("ocsregistry_region_summary")(dict(context), {"era": "2016"})
    today = datetime.date.today()
    return {"as_of": today.isoformat(), "indicators": indicators.build(summary_data, today),
            "summary": summary_data}
