"""Load the demonstration registry shipped in ``data/demo_registry.json``."""
from __future__ import annotations

import json
import os
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry.registry_search import DATASET_TYPE
_PATH = os.path.join(os.path.dirname(__file__), "data", "demo_registry.json")


def read() -> dict[str, Any]:
    with open(_PATH, encoding="utf-8") as f:
        return json.load(f)


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _upsert(kind: str, data: dict[str, Any]) -> bool:
    """Create or update one organisation or dataset; True when created."""
    try:
        existing = tk.get_action(f"{kind}_show")(_context(), {"id": data["name"]})
    except tk.ObjectNotFound:
        tk.get_action(f"{kind}_create")(_context(), data)
        return True
    tk.get_action(f"{kind}_update")(_context(), dict(data, id=existing["id"]))
    return False


def load() -> dict[str, int]:
    doc = read()
    created = updated = 0
    for org in doc["organizations"]:
        if _upsert("organization", org):
            created += 1
        else:
            updated += 1
    for dataset in doc["datasets"]:
        if _upsert("package", dict(dataset, type=DATASET_TYPE)):
            created += 1
        else:
            updated += 1
    return {
        "organizations": len(doc["organizations"]),
        "datasets": len(doc["datasets"]),
        "created": created,
        "updated": updated,
    }
