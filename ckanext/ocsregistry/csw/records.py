"""Which registry records are published as ISO 19139 and over CSW: the public
(not private), active ``ocs`` records, read as anonymous visitors see them."""
from __future__ import annotations

from typing import Any, Iterator

import ckan.plugins.toolkit as tk

from ckanext.ocsregistry import record

__all__ = ["is_public", "public_record", "public_records"]

PAGE = 500


def is_public(pkg: dict[str, Any]) -> bool:
    return (pkg.get("type") == record.DATASET_TYPE and not pkg.get("private")
            and pkg.get("state", "active") == "active")


def public_record(id_or_name: Any) -> dict[str, Any]:
    """The public record ``id_or_name``; NotFound for a private, deleted,
    unknown or non-registry dataset (which must not be told apart)."""
    if not isinstance(id_or_name, str) or not id_or_name:
        raise tk.ObjectNotFound("record not found")
    # No user: package_show never adds restricted values for an anonymous call,
    # and iso19139 reads only public fields anyway.
    context = {"ignore_auth": True, "user": "", "use_cache": False}
    try:
        pkg = tk.get_action("package_show")(context, {"id": id_or_name})
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound("record not found")
    if not is_public(pkg):
        raise tk.ObjectNotFound("record not found")
    return pkg


def public_records() -> Iterator[dict[str, Any]]:
    """Every public record, a page of the search index at a time (no package_show per row)."""
    start = 0
    while True:
        found = tk.get_action("package_search")({"ignore_auth": True, "user": ""}, {
            "fq": f"+dataset_type:{record.DATASET_TYPE}", "rows": PAGE, "start": start,
            "sort": "id asc", "include_private": False})
        for pkg in found["results"]:
            if is_public(pkg):
                yield pkg
        start += PAGE
        if start >= found["count"] or not found["results"]:
            return
