"""What the national map shows: each region coloured by what the registry holds."""
from __future__ import annotations

from typing import Any, Iterable

from ckanext.ocsregistry import record, regions
from ckanext.ocsregistry.search import fields, summary
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
        base["partial"] = summary.covers_part_of(entry, era)
        for code in entry["regions"][era]:
            by_region.setdefault(code, []).append(base)

    out_regions = []
    for region in listed:
        bases = sorted(by_region[region.code], key=lambda b: b["title"].casefold())
        status = most_specific(b["characteristic"] for b in bases)
        under = most_specific(b["characteristic"] for b in bases if not b["partial"])
        out_regions.append(dict(_colouring(status, under, labels), code=region.code,
                                name=region.name, bases=bases))
    return {"era": era, "count": count, "legend": legend(out_regions), "regions": out_regions}


def most_specific(characteristics: Iterable[str]) -> str:
    """The most specific of characteristics (NOTHING when none is drawn)."""
    order = list(STATUS_COLOURS)
    found = [c for c in characteristics if c in STATUS_COLOURS]
    return min(found, key=order.index) if found else NOTHING


def _colouring(status: str, under: str, labels: dict[str, str]) -> dict[str, Any]:
    coverage = "partial" if status != NOTHING and under != status else "full"
    return {
        "status": status,
        "status_label": labels[status],
        "color": STATUS_COLOURS.get(status, NOTHING_COLOUR),
        "coverage": coverage,
        "coverage_label": record.label(PARTIAL_LABEL) if coverage == "partial" else "",
        "fill_under": STATUS_COLOURS.get(under, NOTHING_COLOUR),
    }


def build_summary(counts: dict[str, dict[str, Any]], total: int, trait_totals: dict[str, int],
                  era: str) -> dict[str, Any]:
    """The map's regions from per-region counts (``summary.parse_counts``),
    coloured as ``build`` colours them, without listing the bases."""
    labels = {status: status_label(status) for status in (*STATUS_COLOURS, NOTHING)}
    listed = regions.current_regions() if era == "2016" else regions.pre_2016_regions()
    out_regions = []
    for region in listed:
        found = counts.get(region.code) or {"characteristics": {}, "traits": {},
                                            "latest_years": {}, "count": 0}
        chars = found["characteristics"]
        status = most_specific(chars)
        under = most_specific(c for c, n in chars.items() if n["whole"])
        years = found["latest_years"]
        out_regions.append(dict(
            _colouring(status, under, labels), code=region.code, name=region.name,
            record_count=found["count"],
            characteristics=[{"value": c, "label": labels.get(c, c),
                              "count": chars[c]["whole"] + chars[c]["part"],
                              "partial": chars[c]["part"]}
                             for c in STATUS_COLOURS if c in chars],
            traits={t: found["traits"].get(t, 0) for t in summary.TRAITS},
            latest_vintage=max(years) if years else None))
    return {"era": era, "count": total, "traits": trait_totals,
            "legend": legend(out_regions), "regions": out_regions}
