"""Authorisation of the registry's own actions."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import harvest_status

__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_export",
           "package_update", "package_delete"]


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


def _harvested_refusal(context: dict, data_dict: dict[str, Any]) -> dict[str, Any] | None:
    """Refuse to edit a harvested record here: the next harvest would silently undo it.

    The harvester writes with ``ignore_auth``; sysadmins pass (CKAN does not ask
    auth functions about them) and the record page warns them.
    """
    package = context.get("package")
    ident = (data_dict or {}).get("id") or (data_dict or {}).get("name")
    if package is None and ident:
        package = model.Package.get(ident)
    info = harvest_status.harvest_info(package.id) if package is not None else None
    if info is None:
        return None
    return {"success": False, "msg": tk._(
        "This record is harvested from {source} ({url}): edit it in its source catalogue, "
        "changes made here would be overwritten at the next harvest."
    ).format(source=info["source_title"], url=info["source_url"])}


@tk.chained_auth_function
def package_update(next_auth, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _harvested_refusal(context, data_dict) or next_auth(context, data_dict)


@tk.chained_auth_function
def package_delete(next_auth, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _harvested_refusal(context, data_dict) or next_auth(context, data_dict)
