"""Authorisation of the registry's own actions."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit as tk

# The edit guard of harvested records belongs to the ocsregistry_harvester plugin
# (harvesters/auth.py).
__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_region_summary",
           "ocsregistry_indicators",
           "ocsregistry_export"]


@tk.auth_allow_anonymous_access
def ocsregistry_region_list(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Public reference data (INSEE codes and extents).
    return {"success": True}


@tk.auth_allow_anonymous_access
def ocsregistry_map_data(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Same audience as the catalogue search; the search itself filters records.
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_export(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_region_summary(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Counts of what the catalogue search shows the user.
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_indicators(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    return {"success": tk.check_access("package_search", context, data_dict)}
