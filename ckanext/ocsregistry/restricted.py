"""Funding and price fields that only the owning CRIGE may see.

A record's ``funding_visibility`` says whether its fields marked
``ocsregistry_restricted`` in the schema are public. When they are not, they
are removed from every dataset dict that ``package_show`` hands out, unless the
user is a sysadmin or a member of the owning organisation. The search index
and activity snapshots are built from ``package_show`` output without a user,
so they never hold restricted values, and neither do search results.

Because ``package_show`` serves a cached copy from the search index when it
can, a user who may see the restricted values gets them re-read from the
database.
"""
from __future__ import annotations

from typing import Any, Optional

from ckan import authz
from ckan.plugins import toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

PUBLIC = "public"


def restricted_fields(dataset_type: Optional[str]) -> list[str]:
    schema = scheming_get_dataset_schema(dataset_type) if dataset_type else None
    if not schema:
        return []
    return [f["field_name"] for f in schema["dataset_fields"] if f.get("ocsregistry_restricted")]


def _visibility(pkg_dict: dict[str, Any]) -> Optional[str]:
    if "funding_visibility" in pkg_dict:
        return pkg_dict["funding_visibility"]
    # package_show with validate=False (search indexing) keeps fields in extras
    for extra in pkg_dict.get("extras") or []:
        if extra.get("key") == "funding_visibility":
            return extra.get("value")
    return None


def can_see(pkg_dict: dict[str, Any], user: Optional[str]) -> bool:
    if _visibility(pkg_dict) == PUBLIC:
        return True
    if not user:
        return False
    if authz.is_sysadmin(user):
        return True
    owner = pkg_dict.get("owner_org")
    return bool(owner) and authz.has_user_permission_for_group_or_org(owner, user, "read")


def apply(pkg_dict: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Give ``package_show`` output the restricted values this user may see, in place."""
    fields = restricted_fields(pkg_dict.get("type"))
    if not fields:
        return pkg_dict
    user = context.get("user")
    if not can_see(pkg_dict, user):
        return _strip(pkg_dict, fields)
    from_cache = (context.get("use_cache", True) and context.get("validate", True)
                  and not any(f in pkg_dict for f in fields))
    if from_cache and pkg_dict.get("id") and _visibility(pkg_dict) != PUBLIC:
        full = tk.get_action("package_show")(
            {"user": user, "ignore_auth": True, "use_cache": False}, {"id": pkg_dict["id"]})
        pkg_dict.update({f: full[f] for f in fields if f in full})
    return pkg_dict


def _strip(pkg_dict: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    for field in fields:
        pkg_dict.pop(field, None)
    if pkg_dict.get("extras"):
        pkg_dict["extras"] = [e for e in pkg_dict["extras"] if e.get("key") not in fields]
    return pkg_dict
