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


PARTIAL_LABEL = {"fr": "couverture partielle", "en": "partial coverage"}


def status_label(status: str) -> str:
    if status == NOTHING:
        return record.label(NOTHING_LABEL)
    return item_label(fields.FACET_CHARACTERISTIC, status)


def legend(out_regions: Iterable[dict] = ()) -> list[dict[str, Any]]:
    """Each colour with the number of regions drawn in it (of which partly covered)."""
    counts: dict[str, list[int]] = {}
    for region in out_regions:
        tally = counts.setdefault(region["status"], [0, 0])
        tally[0] += 1
        tally[1] += region["coverage"] == "partial"
    colours = dict(STATUS_COLOURS, **{NOTHING: NOTHING_COLOUR})
    return [{"value": s, "label": status_label(s), "color": c,
             "count": counts.get(s, [0, 0])[0], "partial": counts.get(s, [0, 0])[1]}
            for s, c in colours.items()]


def _vintages(entry: dict) -> list[dict[str, Any]]:
    """Each vintage with its status (available, in production, planned) in words."""
    details = entry.get("vintage_details")
    if details is None:  # a digest of an older format: years only
        details = [{"year": y, "status": "", "note": ""} for y in entry.get("vintages") or []]
    field = record.schema_field("vintages", "status")
    return [dict(v, status_label=record.choice_label(field, v["status"]) if v["status"] else "")
            for v in details]


def _covers_part_of(entry: dict, era: str) -> bool:
    """Whether a base covers only part of the regions it is listed under.

    Current regions: the base names former regions (``former_region_codes``)
    and not all of its region's. Either era: every vintage has a note, the
    field where a CRIGE says what a vintage covers ("Aude et
    Pyrénées-Orientales")."""
    vintages = entry.get("vintage_details") or []
    if vintages and all((v.get("note") or "").strip() for v in vintages):
        return True
    if era == "2016":
        former = set(entry.get("former_region_codes") or [])
        whole = set(regions.predecessors(entry.get("region_code") or ""))
        return bool(former) and bool(whole) and not whole <= former
    return False


def build(entries: Iterable[dict], era: str) -> dict[str, Any]:
    """Regions of the era, each with its bases and the colour of the most specific one.

    A region whose most specific base covers only part of it is drawn hatched
    (``coverage`` = ``partial``): stripes of that base's colour over the colour
    of the most specific base covering the whole region (``fill_under``)."""
    labels = {status: status_label(status) for status in (*STATUS_COLOURS, NOTHING)}
    listed = regions.current_regions() if era == "2016" else regions.pre_2016_regions()
    by_region: dict[str, list[dict]] = {r.code: [] for r in listed}
    count = 0
    for entry in entries:
        count += 1
        base = {k: v for k, v in entry.items()
                if k not in ("regions", "vintage_details", "former_region_codes", "region_code")}
        base["url"] = record.url(entry["name"])
        base["characteristic_label"] = labels.get(entry["characteristic"], entry["characteristic"])
        base["vintage_details"] = _vintages(entry)
        base["partial"] = _covers_part_of(entry, era)
        for code in entry["regions"][era]:
            by_region.setdefault(code, []).append(base)

    order = list(STATUS_COLOURS)

    def most_specific(bases: list[dict]) -> str:
        found = [b["characteristic"] for b in bases if b["characteristic"] in STATUS_COLOURS]
        return min(found, key=order.index) if found else NOTHING

    out_regions = []
    for region in listed:
        bases = sorted(by_region[region.code], key=lambda b: b["title"].casefold())
        status = most_specific(bases)
        under = most_specific([b for b in bases if not b["partial"]])
        coverage = "partial" if status != NOTHING and under != status else "full"
        out_regions.append({
            "code": region.code,
            "name": region.name,
            "status": status,
            "status_label": labels[status],
            "color": STATUS_COLOURS.get(status, NOTHING_COLOUR),
            "coverage": coverage,
            "coverage_label": record.label(PARTIAL_LABEL) if coverage == "partial" else "",
            "fill_under": STATUS_COLOURS.get(under, NOTHING_COLOUR),
            "bases": bases,
        })
    return {"era": era, "count": count, "legend": legend(out_regions), "regions": out_regions}
