"""Authorisation of the registry's own actions."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit as tk

# The edit guard of harvested records belongs to the ocsregistry_harvester plugin
# (harvesters/auth.py).
__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_crige_list",
           "ocsregistry_export", "ocsregistry_review_list", "ocsregistry_record_reread",
           "ocsregistry_timeline", "ocsregistry_compare", "ocsregistry_changes",
           "ocsregistry_iso19139_show", "ocsregistry_region_summary", "ocsregistry_indicators"]


@tk.auth_allow_anonymous_access
def ocsregistry_region_list(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Public reference data (INSEE codes and extents).
    return {"success": True}


@tk.auth_allow_anonymous_access
def ocsregistry_map_data(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Same audience as the catalogue search; the search itself filters records.
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_crige_list(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Who the CRIGEs are is public, as CKAN's organisation list is.
    return {"success": tk.check_access("organization_list", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_export(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_review_list(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Due dates are public (information date + review frequency, both public
    # fields); the search keeps private records to the CRIGE's members.
    return {"success": tk.check_access("package_search", context, data_dict)}


def ocsregistry_record_reread(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Whoever may edit the record (the harvest guard included) may mark it re-read.
    return {"success": tk.check_access("package_update", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_timeline(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # The map's audience: the search filters records.
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_compare(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Records come from the search, which shows private ones to their CRIGE only.
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_changes(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Public changes of public records only (changes.py), as CKAN's own
    # "recently changed packages" stream, whose rule applies.
    return {"success": tk.check_access("recently_changed_packages_activity_list", context,
                                       data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_iso19139_show(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Public records only (the action refuses the others, whoever asks).
    return {"success": True}


@tk.auth_allow_anonymous_access
def ocsregistry_region_summary(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Counts of what the catalogue search shows the user.
    return {"success": tk.check_access("package_search", context, data_dict)}


@tk.auth_allow_anonymous_access
def ocsregistry_indicators(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    return {"success": tk.check_access("package_search", context, data_dict)}
