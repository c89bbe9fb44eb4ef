"""Authorisation of the registry's own actions."""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit as tk

__all__ = ["ocsregistry_region_list"]


@tk.auth_allow_anonymous_access
def ocsregistry_region_list(context: dict, data_dict: dict[str, Any]) -> dict[str, bool]:
    # Public reference data (INSEE codes and extents).
    return {"success": True}
