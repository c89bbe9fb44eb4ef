"""What the national map shows: each region coloured by what the registry holds."""
from __future__ import annotations

from typing import Any, Iterable

from ckanext.ocsregistry import record, regions
from ckanext.ocsregistry.search import fields
from ckanext.ocsregistry.search.facets import item_label

# Characteristics from the most to the least specific; a region takes the
# colour of its most specific base. Colours are colour-blind safe (PRGn).
STATUS_COLOURS = {
    "regional_specific": "#1b7837",
    "ocs_ge_improved": "#5aae61",
    "ocs_ge": "#a6dba0",
    "clc_derived": "#9970ab",
    "in_progress": "#f1a340",
    "other": "#c2a5cf",
    "none": "#9e9e9e",
    "unknown": "#d9d9d9",
}
NOTHING = "nothing"
NOTHING_COLOUR = "#ffffff"
NOTHING_LABEL = {"fr": "Aucune fiche", "en": "No record"}


def status_label(status: str) -> str:
    if status == NOTHING:
        return record.label(NOTHING_LABEL)
    return item_label(fields.FACET_CHARACTERISTIC, status)


def legend() -> list[dict[str, str]]:
    entries = [{"value": s, "label": status_label(s), "color": c} for s, c in STATUS_COLOURS.items()]
    entries.append({"value": NOTHING, "label": status_label(NOTHING), "color": NOTHING_COLOUR})
    return entries


def build(entries: Iterable[dict], era: str) -> dict[str, Any]:
    """Regions of the era, each with its bases and the colour of the most specific one."""
    labels = {status: status_label(status) for status in (*STATUS_COLOURS, NOTHING)}
    listed = regions.current_regions() if era == "2016" else regions.pre_2016_regions()
    by_region: dict[str, list[dict]] = {r.code: [] for r in listed}
    count = 0
    for entry in entries:
        count += 1
        base = {k: v for k, v in entry.items() if k != "regions"}
        base["url"] = record.url(entry["name"])
        base["characteristic_label"] = labels.get(entry["characteristic"], entry["characteristic"])
        for code in entry["regions"][era]:
            by_region.setdefault(code, []).append(base)

    order = list(STATUS_COLOURS)
    out_regions = []
    for region in listed:
        bases = sorted(by_region[region.code], key=lambda b: b["title"].casefold())
        found = [b["characteristic"] for b in bases if b["characteristic"] in STATUS_COLOURS]
        status = min(found, key=order.index) if found else NOTHING
        out_regions.append({
            "code": region.code,
            "name": region.name,
            "status": status,
            "status_label": labels[status],
            "color": STATUS_COLOURS.get(status, NOTHING_COLOUR),
            "bases": bases,
        })
    return {"era": era, "count": count, "legend": legend(), "regions": out_regions}
