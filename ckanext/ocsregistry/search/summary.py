"""Per-region aggregates of the registry, counted by the search index.

The map, the registry home and the timeline need, for each region, what the
registry holds there (characteristics, coverage, dimensions, vintages), not
each record. Walking every record is linear in the registry's size; here
each record's index document carries a few pre-combined values instead, and
one facet query counts them for all regions at once, whatever the number of
records, with the search's filters and permissions applied by Solr:

- ``vocab_ocsregistry_trait`` (record level, a search filter too):
  ``large_scale``, ``two_dimensions``, ``in_production``, ``planned``;
- ``vocab_ocsregistry_latest_vintage``: the latest *available* vintage year;
- ``vocab_ocsregistry_region_summary`` ("era|region|kind|value"): the same
  facts per region of either era, so that one facet acts as a pivot
  (region x property) that CKAN's ``package_search`` can ask for
  (it passes no ``facet.pivot``):

  * ``c|<characteristic>|whole`` or ``c|<characteristic>|part``: a base of that
    characteristic covering the whole region or only part of it;
  * ``t|<trait>``: a base with that trait;
  * ``y|<year>``: a base whose latest available vintage is that year.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from ckanext.ocsregistry import regions

__all__ = ["TRAITS", "LARGE_SCALE_MAX_DENOMINATOR", "LARGE_SCALE_CHARACTERISTICS",
           "scale_denominator", "record_traits", "latest_available", "covers_part_of",
           "index_values", "parse_counts"]

ERAS = ("2016", "pre-2016")
TRAITS = ("large_scale", "two_dimensions", "in_production", "planned")
# "Large scale": interpreted at 1:10,000 or finer. Without a stated scale, an
# OCS GE (improved or not) counts: IGN's specification makes it at large scale.
LARGE_SCALE_MAX_DENOMINATOR = 10000
LARGE_SCALE_CHARACTERISTICS = ("ocs_ge", "ocs_ge_improved")

_SCALE = re.compile(r"1\s*[:/]\s*(\d[\d\s\u00a0\u202f.']*)")


def scale_denominator(text: Any) -> int | None:
    """n of a scale written "1:n" ("1:2 500", "1/5000"), else None."""
    match = _SCALE.search(text) if isinstance(text, str) else None
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    return int(digits) if digits else None


def _vintages(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in data.get("vintages") or [] if isinstance(v, dict) and v.get("year")]


def latest_available(data: dict[str, Any]) -> int | None:
    years = []
    for v in _vintages(data):
        if v.get("status") == "available":
            try:
                years.append(int(v["year"]))
            except (TypeError, ValueError):
                continue
    return max(years) if years else None


def record_traits(data: dict[str, Any]) -> list[str]:
    """The record's traits (``TRAITS``), defined from its fields."""
    traits = []
    denominator = scale_denominator(data.get("interpretation_scale"))
    if denominator is not None:
        if denominator <= LARGE_SCALE_MAX_DENOMINATOR:
            traits.append("large_scale")
    elif data.get("ocs_characteristic") in LARGE_SCALE_CHARACTERISTICS:
        traits.append("large_scale")
    dimensions = data.get("dimensions") or []
    if isinstance(dimensions, list) and {"land_cover", "land_use"} <= set(dimensions):
        traits.append("two_dimensions")
    statuses = {v.get("status") for v in _vintages(data)}
    traits.extend(s for s in ("in_production", "planned") if s in statuses)
    return traits


def covers_part_of(data: dict[str, Any], era: str) -> bool:
    """Whether a base covers only part of the regions of ``era`` it is listed under.

    Current regions: the base names former regions (``former_region_codes``)
    and not all of its region's. Either era: every vintage has a note, the
    field where a CRIGE says what a vintage covers ("Aude et
    Pyrénées-Orientales")."""
    vintages = data.get("vintage_details")
    if vintages is None:
        vintages = _vintages(data)
    if vintages and all((v.get("note") or "").strip() for v in vintages):
        return True
    if era == "2016":
        former = set(c for c in data.get("former_region_codes") or [] if isinstance(c, str))
        whole = set(regions.predecessors(data.get("region_code") or ""))
        return bool(former) and bool(whole) and not whole <= former
    return False


def index_values(data: dict[str, Any], region_facets: dict[str, list[str]]) -> dict[str, list[str]]:
    """The summary fields of a record's index document.

    ``region_facets``: the record's regions by era (``{"2016": [...],
    "pre-2016": [...]}``, as the region facets hold them)."""
    traits = record_traits(data)
    latest = latest_available(data)
    characteristic = data.get("ocs_characteristic") or "unknown"
    cells = []
    for era in ERAS:
        extent = "part" if covers_part_of(data, era) else "whole"
        for code in region_facets.get(era) or []:
            prefix = f"{era}|{code}|"
            cells.append(f"{prefix}c|{characteristic}|{extent}")
            cells.extend(f"{prefix}t|{t}" for t in traits)
            if latest:
                cells.append(f"{prefix}y|{latest}")
    return {"traits": traits, "latest": [str(latest)] if latest else [], "cells": cells}


def parse_counts(items: Iterable[dict[str, Any]], era: str) -> dict[str, dict[str, Any]]:
    """Per-region aggregates of ``era`` from the summary facet's items.

    Returns ``{code: {"characteristics": {c: {"whole": n, "part": n}},
    "traits": {t: n}, "latest_years": {year: n}, "count": n}}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        parts = item["name"].split("|")
        if len(parts) < 4 or parts[0] != era:
            continue
        code, kind, n = parts[1], parts[2], int(item["count"])
        region = out.setdefault(code, {"characteristics": {}, "traits": {}, "latest_years": {},
                                       "count": 0})
        if kind == "c" and len(parts) == 5:
            tally = region["characteristics"].setdefault(parts[3], {"whole": 0, "part": 0})
            tally["part" if parts[4] == "part" else "whole"] += n
            region["count"] += n
        elif kind == "t":
            region["traits"][parts[3]] = n
        elif kind == "y" and parts[3].isdigit():
            region["latest_years"][int(parts[3])] = n
    return out
