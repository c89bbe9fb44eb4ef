"""What the national map shows: each region coloured by what the registry holds."""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import indexing, regions
from ckanext.ocsregistry.facets import item_label
from ckanext.ocsregistry.helpers import ocsregistry_label
from ckanext.ocsregistry.registry_search import DATASET_TYPE

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

MAP_FIELDS = [
    "id", "name", "title", "organization",
    indexing.FACET_REGION, indexing.FACET_FORMER_REGION,
    indexing.FACET_CHARACTERISTIC, indexing.FACET_VINTAGE,
    "extras_data_url", "extras_viewer_url",
]


def search_docs(context: dict, search: dict[str, Any], fields: list[str]) -> Iterator[dict]:
    """Every matching record, in pages of the configured maximum, as stored Solr fields."""
    rows = tk.config.get("ckan.search.rows_max")
    start = 0
    while True:
        result = tk.get_action("package_search")(
            dict(context), dict(search, fl=list(fields), rows=rows, start=start,
                                sort="name asc", include_private=True))
        yield from result["results"]
        start += rows
        if start >= result["count"] or not result["results"]:
            return


def status_label(status: str) -> str:
    if status == NOTHING:
        return ocsregistry_label(NOTHING_LABEL)
    return item_label(indexing.FACET_CHARACTERISTIC, status)


def legend() -> list[dict[str, str]]:
    entries = [{"value": s, "label": status_label(s), "color": c} for s, c in STATUS_COLOURS.items()]
    entries.append({"value": NOTHING, "label": status_label(NOTHING), "color": NOTHING_COLOUR})
    return entries


def _org_titles(names: Iterable[str]) -> dict[str, str]:
    names = {n for n in names if n}
    if not names:
        return {}
    rows = model.Session.query(model.Group.name, model.Group.title).filter(
        model.Group.name.in_(names))
    return {name: title or name for name, title in rows}


def _first(value: Any) -> str:
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def build(docs: Iterable[dict], era: str) -> dict[str, Any]:
    docs = list(docs)
    titles = _org_titles(d.get("organization") for d in docs)
    site_url = tk.config.get("ckan.site_url").rstrip("/")
    region_key = indexing.FACET_REGION if era == "2016" else indexing.FACET_FORMER_REGION
    listed = regions.current_regions() if era == "2016" else regions.pre_2016_regions()
    by_region: dict[str, list[dict]] = {r.code: [] for r in listed}
    for doc in docs:
        characteristic = _first(doc.get(indexing.FACET_CHARACTERISTIC))
        base = {
            "name": doc["name"],
            "title": doc.get("title") or doc["name"],
            "url": f"{site_url}/{DATASET_TYPE}/{doc['name']}",
            "characteristic": characteristic,
            "characteristic_label": status_label(characteristic) if characteristic else "",
            "vintages": sorted(int(y) for y in doc.get(indexing.FACET_VINTAGE) or []),
            "organization": {"name": doc.get("organization") or "",
                             "title": titles.get(doc.get("organization"), "")},
            # package_search hands extras_* fields back without their prefix
            "data_url": doc.get("data_url") or "",
            "viewer_url": doc.get("viewer_url") or "",
        }
        for code in doc.get(region_key) or []:
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
            "status_label": status_label(status),
            "color": STATUS_COLOURS.get(status, NOTHING_COLOUR),
            "bases": bases,
        })
    return {"era": era, "count": len(docs), "legend": legend(), "regions": out_regions}
