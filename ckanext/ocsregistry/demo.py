"""Load the demonstration registry shipped in ``data/demo_registry.json``."""
from __future__ import annotations

import json
import os
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import record, restricted
from ckanext.ocsregistry.record import DATASET_TYPE
_PATH = os.path.join(os.path.dirname(__file__), "data", "demo_registry.json")


def read() -> dict[str, Any]:
    with open(_PATH, encoding="utf-8") as f:
        return json.load(f)


def _comparable(value: Any) -> Any:
    # Stored values come back typed (2019, ["44"]) where the file may say "2019".
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    return str(value)


def _upsert(kind: str, data: dict[str, Any]) -> str:
    """Create, update or leave one organisation or dataset; says which it did."""
    try:
        existing = tk.get_action(f"{kind}_show")(record.site_context(), {"id": data["name"]})
    except tk.ObjectNotFound:
        tk.get_action(f"{kind}_create")(record.site_context(), data)
        return "created"
    if kind == "package":
        existing = restricted.with_values(existing)
    if existing.get("organization"):  # the file names the CRIGE, the API gives its id
        existing = dict(existing, owner_org=existing["organization"]["name"])
    if all(_comparable(existing.get(k)) == _comparable(v) for k, v in data.items()):
        return "unchanged"  # no rewrite, no activity, no reindex on every `make run`
    tk.get_action(f"{kind}_update")(record.site_context(), dict(data, id=existing["id"]))
    return "updated"


def load() -> dict[str, int]:
    doc = read()
    report = {"organizations": len(doc["organizations"]), "datasets": len(doc["datasets"]),
              "created": 0, "updated": 0, "unchanged": 0}
    for org in doc["organizations"]:
        report[_upsert("organization", org)] += 1
    for dataset in doc["datasets"]:
        report[_upsert("package", dict(dataset, type=DATASET_TYPE))] += 1
    return report
