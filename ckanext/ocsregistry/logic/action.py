"""Actions of the OCS registry (all side-effect free)."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import regions
from ckanext.ocsregistry.logic import schema as ocs_schema

__all__ = ["ocsregistry_region_list"]


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
