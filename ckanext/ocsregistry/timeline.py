"""What the vintage timeline shows: regions by years, each vintage of each base.

Built from the same per-record entries as the national map (``digests``: one
search, then the cached entries), for current or pre-2016 regions. A region
holds one line per base (a region may have several); each line marks its
vintages by year with their status (available, in production, planned).
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from ckanext.ocsregistry import record, regions

__all__ = ["STATUSES", "build", "csv_rows"]

# The vintage statuses of the schema, each drawn with its own shape (never
# colour alone): a filled disc, a half-filled disc, a hollow dashed ring.
STATUSES = ("available", "in_production", "planned")
SYMBOLS = {"available": "●", "in_production": "◐", "planned": "○", "": "◇"}
NO_STATUS = {"fr": "État non renseigné", "en": "Status not given"}


def _status_labels() -> dict[str, str]:
    field = record.schema_field("vintages", "status")
    labels = {s: record.choice_label(field, s) for s in STATUSES}
    labels[""] = record.label(NO_STATUS)
    return labels


def build(entries: Iterable[dict], era: str) -> dict[str, Any]:
    """``{era, count, years, legend, regions: [{code, name, bases: [...]}]}``.

    ``years`` runs from the earliest to the latest vintage of the bases shown,
    without gaps, so that the axis is even. Each base has ``vintages``: one
    ``{year, status, status_label, symbol, note}`` per year (the first one
    recorded when a base lists a year twice)."""
    labels = _status_labels()
    listed = regions.current_regions() if era == regions.CURRENT else regions.pre_2016_regions()
    by_region: dict[str, list[dict]] = {r.code: [] for r in listed}
    count, years = 0, set()
    for entry in entries:
        count += 1
        vintages: dict[int, dict[str, Any]] = {}
        for v in entry.get("vintage_details") or []:
            status = v.get("status") if v.get("status") in STATUSES else ""
            vintages.setdefault(int(v["year"]), {
                "year": int(v["year"]), "status": status or "unknown",
                "status_label": labels[status], "symbol": SYMBOLS[status],
                "note": v.get("note") or ""})
        years.update(vintages)
        base = {"name": entry["name"], "title": entry["title"], "url": record.url(entry["name"]),
                "organization": entry.get("organization") or {},
                "vintages": [vintages[y] for y in sorted(vintages)]}
        for code in entry["regions"][era]:
            if code in by_region:
                by_region[code].append(base)
    axis = list(range(min(years), max(years) + 1)) if years else []
    out_regions = []
    for region in listed:
        bases = sorted(by_region[region.code], key=lambda b: b["title"].casefold())
        out_regions.append({"code": region.code, "name": region.name, "bases": bases})
    legend = [{"value": s, "label": labels[s], "symbol": SYMBOLS[s]} for s in STATUSES]
    return {"era": era, "count": count, "years": axis, "legend": legend, "regions": out_regions}


def csv_rows(data: dict[str, Any], lang: str) -> Iterator[list[Any]]:
    """One row per vintage: region, base, CRIGE, year, status, note, record address."""
    yield [record.label(h, lang) for h in (
        {"fr": "Code région", "en": "Region code"}, {"fr": "Région", "en": "Region"},
        {"fr": "Fiche", "en": "Record"}, {"fr": "CRIGE", "en": "CRIGE"},
        {"fr": "Millésime", "en": "Vintage"}, {"fr": "État", "en": "Status"},
        {"fr": "Remarque", "en": "Note"}, {"fr": "Adresse de la fiche", "en": "Record address"})]
    for region in data["regions"]:
        for base in region["bases"]:
            for v in base["vintages"]:
                yield [region["code"], region["name"], base["title"],
                       base["organization"].get("title") or base["organization"].get("name", ""),
                       v["year"], v["status_label"], v["note"], base["url"]]

