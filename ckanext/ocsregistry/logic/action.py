"""Actions of the OCS registry (all side-effect free)."""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import national_map, regions
from ckanext.ocsregistry.csw import iso19139, records
# CKAN's bulk actions, chained: the CSW table follows their privacy changes and deletions.
from ckanext.ocsregistry.csw.repository import (bulk_update_delete, bulk_update_private,
                                                bulk_update_public)
from ckanext.ocsregistry.search import digests, query
from ckanext.ocsregistry.logic import schema as ocs_schema
# CKAN's own write actions, chained: they refuse misshapen data (logic/shape.py).
from ckanext.ocsregistry.logic.shape import package_create, package_update

__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_iso19139_show",
           "package_create", "package_update",
           "bulk_update_private", "bulk_update_public", "bulk_update_delete"]


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
def ocsregistry_iso19139_show(context: dict, data_dict: dict[str, Any]) -> str:
    """The ISO 19139 document (XML text) of a public registry record.

    ``id``: the record's id or name. Private, deleted and unknown records are
    not found, whoever asks: the document is what CSW clients harvest.
    """
    tk.check_access("ocsregistry_iso19139_show", context, data_dict)
    return iso19139.document(records.public_record(data_dict.get("id"))).decode("utf-8")
