"""One way to turn filters into a registry search, shared by the catalogue
search page, the map and the export, so that their links agree.

Filters use the catalogue's own parameters: ``q``, one parameter per facet
field (``vocab_ocsregistry_characteristic=ocs_ge``, ``organization=openig``),
and the ``ext_`` extras (``ext_bbox``, ``ext_vintage_from``, ``ext_vintage_to``,
``ext_review_due=1``: records due for review).
Like CKAN's search page, filters on several facets (or several values of one
facet) must all match.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

from ckan.lib.search import SearchQueryError

from ckanext.ocsregistry import review
from ckanext.ocsregistry.search import fields

DATASET_TYPE = "ocs"

FILTER_FIELDS = (
    fields.FACET_REGION,
    fields.FACET_FORMER_REGION,
    fields.FACET_CHARACTERISTIC,
    fields.FACET_VINTAGE,
    fields.FACET_DIMENSION,
    fields.FACET_TRAIT,
    "organization",
)
# ext_latest_vintage_from: records whose latest available vintage is that year or later
EXTRA_FIELDS = ("ext_bbox", "ext_vintage_from", "ext_vintage_to", "ext_latest_vintage_from",
                review.FILTER_PARAM)


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _quote(value: str) -> str:
    return '"{}"'.format(value.replace("\\", "\\\\").replace('"', '\\"'))


def vintage_range_fq(vintage_from: Any, vintage_to: Any) -> str:
    """Records with at least one vintage in [from, to] (years are 4-digit strings)."""
    if not vintage_from and not vintage_to:
        return ""
    low = str(vintage_from) if vintage_from else "*"
    high = str(vintage_to) if vintage_to else "*"
    return f"+{fields.FACET_VINTAGE}:[{low} TO {high}]"


def vintage_range_fq_from_extras(extras: Mapping[str, Any]) -> str:
    """The vintage filters of a catalogue search (``ext_vintage_from/to``, and
    ``ext_latest_vintage_from`` on the latest available vintage)."""
    years = {}
    for key in ("ext_vintage_from", "ext_vintage_to", "ext_latest_vintage_from"):
        value = str(extras.get(key) or "").strip()
        if value and not (value.isdigit() and len(value) == 4):
            raise SearchQueryError(f"{key}: must be a year, e.g. 2015")
        years[key] = value
    fq = vintage_range_fq(years["ext_vintage_from"], years["ext_vintage_to"])
    if years["ext_latest_vintage_from"]:
        # 4-digit years: string order is number order
        fq = f"{fq} +{fields.FACET_LATEST_VINTAGE}:[{years['ext_latest_vintage_from']} TO *]".strip()
    return fq


def review_due_fq_from_extras(extras: Mapping[str, Any]) -> str:
    """The "to review" filter of a catalogue search (``ext_review_due=1``)."""
    try:
        wanted = review.filter_value(extras.get(review.FILTER_PARAM))
    except ValueError:
        raise SearchQueryError(f"{review.FILTER_PARAM}: must be 1 (records to review) or empty")
    return review.due_fq() if wanted else ""


def extras_fq(extras: Mapping[str, Any]) -> str:
    """The Solr filters of a search's registry extras (vintage range, to review),
    applied by the plugin's ``before_dataset_search`` for every search."""
    return " ".join(fq for fq in (vintage_range_fq_from_extras(extras),
                                  review_due_fq_from_extras(extras)) if fq)


def package_search_params(filters: Mapping[str, Any]) -> dict[str, Any]:
    """``package_search`` parameters for validated filters."""
    fq = [f"+dataset_type:{DATASET_TYPE}"]
    for field in FILTER_FIELDS:
        for value in _values(filters.get(field)):
            fq.append(f"+{field}:{_quote(value)}")
    # the vintage range and "to review" are applied by the plugin's before_dataset_search
    extras = {k: str(filters[k]) for k in EXTRA_FIELDS if filters.get(k) not in (None, "")}
    return {"q": filters.get("q") or "", "fq": " ".join(fq), "extras": extras}


def query_string(filters: Mapping[str, Any], **extra: Any) -> str:
    """The filters as a URL query string, in the catalogue's parameter names."""
    pairs: list[tuple[str, str]] = []
    if filters.get("q"):
        pairs.append(("q", filters["q"]))
    for field in FILTER_FIELDS:
        pairs.extend((field, v) for v in _values(filters.get(field)))
    for field in EXTRA_FIELDS:
        if filters.get(field) not in (None, ""):
            pairs.append((field, str(filters[field])))
    pairs.extend((k, str(v)) for k, v in extra.items() if v not in (None, ""))
    return urlencode(pairs)


def filters_from_args(args: Any, allowed: Iterable[str] = ()) -> dict[str, Any]:
    """Filters from a request's MultiDict, keeping lists for repeated facets."""
    out: dict[str, Any] = {}
    for key in ("q", *FILTER_FIELDS, *EXTRA_FIELDS, *allowed):
        values = args.getlist(key) if hasattr(args, "getlist") else _values(args.get(key))
        values = [v for v in values if v is not None and str(v).strip() != ""]
        if not values:
            continue
        out[key] = values if key in FILTER_FIELDS else values[0]
    return out
