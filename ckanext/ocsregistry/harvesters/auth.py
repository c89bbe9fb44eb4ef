"""The edit guard of harvested records: chained ``package_update`` and
``package_delete``, and the organisation's bulk actions (``bulk_update_private``,
``bulk_update_public``, ``bulk_update_delete``), which change records with one
query and ask no per-record auth function.

Registered by the ``ocsregistry_harvester`` plugin (``toolkit.blanket``); the
names are CKAN's own, since these functions wrap its auth functions.
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry.harvesters import harvest_status

__all__ = ["package_update", "package_delete",
           "bulk_update_private", "bulk_update_public", "bulk_update_delete"]


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


def _bulk_harvested_refusal(data_dict: dict[str, Any]) -> dict[str, Any] | None:
    """Refuse a bulk action listing harvested records (one query for all of them)."""
    ids = (data_dict or {}).get("datasets") or []
    if isinstance(ids, str):
        ids = [ids]
    harvested = harvest_status.harvest_infos(ids)
    if not harvested:
        return None
    records = "; ".join(
        tk._("{record} (harvested from {source}, {url})").format(
            record=info["name"], source=info["source_title"], url=info["source_url"])
        for info in sorted(harvested.values(), key=lambda i: i["name"]))
    return {"success": False, "msg": tk._(
        "Harvested records are edited in their source catalogue, changes made here "
        "would be overwritten at the next harvest: {records}"
    ).format(records=records)}


def _bulk_guard(next_auth, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    # CKAN's check first: only the organisation's editors learn which records are harvested.
    allowed = next_auth(context, data_dict)
    if not allowed.get("success"):
        return allowed
    return _bulk_harvested_refusal(data_dict) or allowed


@tk.chained_auth_function
def bulk_update_private(next_auth, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _bulk_guard(next_auth, context, data_dict)


@tk.chained_auth_function
def bulk_update_public(next_auth, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _bulk_guard(next_auth, context, data_dict)


@tk.chained_auth_function
def bulk_update_delete(next_auth, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _bulk_guard(next_auth, context, data_dict)
