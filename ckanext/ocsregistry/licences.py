"""The licences a record may carry (CKAN's core ``license_id`` field).

The list ships with the extension (``data/licenses.json``, CKAN's licence file
format) and becomes CKAN's licence register through ``licenses_group_url``
when the site sets none (``plugin.update_config``): the registry then needs no
extra configuration, and ``package_show`` gives ``license_title`` and
``license_url`` as for any CKAN licence. A site that sets its own list keeps it.

Each entry may add two keys CKAN keeps but does not read:
``ocsregistry_label`` (the form's French and English label) and
``ocsregistry_uri`` (the licence's canonical IRI in the EU licence authority
table, when it has one; otherwise the licence's own ``url`` stands for it).
"""
from __future__ import annotations

import os
from typing import Any, Optional

__all__ = ["FILE_URL", "register", "choices", "canonical_uri", "by_uri"]

FILE_URL = "file://" + os.path.join(os.path.dirname(__file__), "data", "licenses.json")


def register() -> Any:
    """CKAN's licence register (built once by CKAN from ``licenses_group_url``)."""
    from ckan import model

    return model.Package.get_license_register()


def choices(field: Optional[dict] = None) -> list[dict[str, Any]]:
    """scheming choices: every licence of the register, labelled in both languages."""
    found = []
    for licence in register().licenses:
        data = licence.license_dictize()
        found.append({"value": data["id"],
                      "label": data.get("ocsregistry_label") or data.get("title") or data["id"]})
    return found


def canonical_uri(license_id: Any) -> Optional[str]:
    """The IRI naming a licence: the EU authority's, else its own web page (None
    when it has neither, e.g. "other" or "not specified")."""
    licence = register().get(str(license_id or ""), None)
    if licence is None:
        return None
    data = licence.license_dictize()
    return data.get("ocsregistry_uri") or data.get("url") or None


def by_uri(uri: Any) -> Optional[str]:
    """The licence id a canonical IRI or licence URL names (None if none)."""
    text = str(uri or "")
    for licence in register().licenses:
        data = licence.license_dictize()
        if text and text in (data.get("ocsregistry_uri"), data.get("url")):
            return data["id"]
    return None
