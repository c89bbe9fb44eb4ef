"""The registry home's coverage indicators, defined from the record's fields.

Each indicator is computed from ``ocsregistry_region_summary`` (counts from
the index, search/summary.py) and carries the search filters that list the
records behind it, and its definition in words, shown on the page.
"""
from __future__ import annotations

import csv
import datetime
import io
import statistics
from typing import Any, Iterator

from ckanext.ocsregistry import record
from ckanext.ocsregistry.search import digests, fields

__all__ = ["RECENT_YEARS", "build", "csv_rows", "csv_text"]

# A latest vintage is "recent" when it is at most this many years old.
RECENT_YEARS = 3

_L = record.label


def _regions_with(summary: dict[str, Any], test) -> int:
    return sum(1 for r in summary["regions"] if test(r))


def build(summary: dict[str, Any], today: datetime.date) -> list[dict[str, Any]]:
    """The indicators of a (current regions) summary, as of ``today``."""
    total = len(summary["regions"])
    trait = summary["traits"]
    since = today.year - RECENT_YEARS
    ages = [today.year - r["latest_vintage"] for r in summary["regions"] if r["latest_vintage"]]
    median_age = statistics.median(ages) if ages else None

    def regions_indicator(key, test, filters, label, definition):
        return {"key": key, "value": _regions_with(summary, test), "of": total,
                "unit": "regions", "filters": filters, "label": _L(label),
                "definition": _L(definition)}

    age_text = "—" if median_age is None else _L(
        {"fr": "{n} an(s)", "en": "{n} year(s)"}).format(n=f"{median_age:g}")
    recent = regions_indicator(
        "recent", lambda r: (r["latest_vintage"] or 0) >= since,
        {"ext_latest_vintage_from": str(since)},
        {"fr": "régions ont un millésime disponible de {year} ou après",
         "en": "regions have an available vintage from {year} or later"},
        {"fr": "Âge du dernier millésime : le plus récent des « Millésimes » à l'état "
               "« Disponible » des fiches de la région. Âge médian, sur les régions qui en "
               "ont un : {age}.",
         "en": "Age of the latest vintage: the most recent of the region's records' "
               "\"Vintages\" whose status is \"Available\". Median age, over the regions "
               "having one: {age}."})
    recent.update(label=recent["label"].format(year=since),
                  definition=recent["definition"].format(age=age_text),
                  median_age=median_age, since=since)
    return [
        regions_indicator(
            "covered", lambda r: r["record_count"] > 0, {},
            {"fr": "régions ont au moins une fiche", "en": "regions have at least one record"},
            {"fr": "Régions actuelles (2016) dont le champ « Région » d'au moins une fiche est le code.",
             "en": "Current (2016) regions named in the \"Region\" field of at least one record."}),
        regions_indicator(
            "large_scale", lambda r: r["traits"]["large_scale"] > 0,
            {fields.FACET_TRAIT: "large_scale"},
            {"fr": "régions ont une base à grande échelle", "en": "regions have a large-scale base"},
            {"fr": "Au moins une fiche dont l'« Échelle d'interprétation » est au 1:10 000 ou plus "
                   "fine ou, sans échelle indiquée, dont la « Caractéristique de l'OCS » est OCS GE "
                   "ou OCS GE améliorée.",
             "en": "At least one record whose \"Interpretation scale\" is 1:10,000 or finer or, "
                   "with no scale given, whose \"OCS characteristic\" is OCS GE or improved OCS GE."}),
        regions_indicator(
            "two_dimensions", lambda r: r["traits"]["two_dimensions"] > 0,
            {fields.FACET_TRAIT: "two_dimensions"},
            {"fr": "régions ont une base à deux dimensions", "en": "regions have a two-dimension base"},
            {"fr": "Au moins une fiche dont les « Dimensions » sont la couverture et l'usage du sol.",
             "en": "At least one record whose \"Dimensions\" are land cover and land use."}),
        {"key": "in_production", "value": trait["in_production"], "of": summary["count"],
         "unit": "records", "filters": {fields.FACET_TRAIT: "in_production"},
         "label": _L({"fr": "fiches ont un millésime en production",
                      "en": "records have a vintage in production"}),
         "definition": _L({"fr": "Fiches dont au moins un « Millésime » a l'état « En production ».",
                           "en": "Records with at least one \"Vintage\" whose status is "
                                 "\"In production\"."})},
        {"key": "planned", "value": trait["planned"], "of": summary["count"],
         "unit": "records", "filters": {fields.FACET_TRAIT: "planned"},
         "label": _L({"fr": "fiches ont un millésime prévu", "en": "records have a planned vintage"}),
         "definition": _L({"fr": "Fiches dont au moins un « Millésime » a l'état « Prévu ».",
                           "en": "Records with at least one \"Vintage\" whose status is "
                                 "\"Planned\"."})},
        recent,
    ]


def csv_rows(summary: dict[str, Any], lang: str) -> Iterator[list[Any]]:
    """One row per region: what the home's table and map show."""
    heads = {
        "fr": ["Code INSEE", "Région", "Fiches", "Base la plus précise", "Couverture",
               "Fiches à grande échelle", "Fiches à deux dimensions",
               "Fiches avec un millésime en production", "Fiches avec un millésime prévu",
               "Dernier millésime disponible"],
        "en": ["INSEE code", "Region", "Records", "Most specific base", "Coverage",
               "Large-scale records", "Two-dimension records",
               "Records with a vintage in production", "Records with a planned vintage",
               "Latest available vintage"],
    }
    yield heads[lang]
    partial = {"fr": "partielle", "en": "partial"}[lang]
    full = {"fr": "complète", "en": "full"}[lang]
    for r in summary["regions"]:
        t = r["traits"]
        yield [r["code"], r["name"], r["record_count"], r["status_label"],
               (partial if r["coverage"] == "partial" else full) if r["record_count"] else "",
               t["large_scale"], t["two_dimensions"], t["in_production"], t["planned"],
               r["latest_vintage"] or ""]


def csv_text(summary: dict[str, Any], lang: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=digests.DELIMITERS[lang], lineterminator="\r\n")
    writer.writerows(csv_rows(summary, lang))
    # a byte-order mark: Excel then reads the accents right
    return "\ufeff" + out.getvalue()
