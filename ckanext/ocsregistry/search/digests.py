"""Per-record digests for the map and the export, kept in Redis.

When CKAN indexes a registry record, its map entry and its export row (CSV
line and cells, in French and English) are computed once, from the indexed
(public) view of the record, and stored in a Redis hash keyed by the record's
name. The index document also gets ``vocab_ocsregistry_key`` = "name|modified".

The map and the export then run the catalogue search with a facet on that key
(all matching records the user may see, in name order, without reading the
large stored documents) and read the digests in bulk. A digest that is missing
or older than the indexed record (Redis flushed, a lost write) is rebuilt from
the index on the fly: the cache makes the map and the export faster, never
different.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from functools import lru_cache
from typing import Any, Iterable, Iterator, Optional

from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import record
from ckanext.ocsregistry.search import fields
from ckanext.ocsregistry.table import columns

log = logging.getLogger(__name__)

DELIMITERS = {"fr": ";", "en": ","}  # what Excel expects in each locale
TTL_SECONDS = 90 * 24 * 3600  # digests of deleted or renamed records fade away
BATCH = 1000


# Bumped when what a digest holds changes (2: CSV cells neutralised; 3: organisation
# titles, region names, vintage summary and last-modified columns; the map entry
# has each vintage's status and note, and the former regions named; 4: both;
# 5: the review due date column).
DIGEST_FORMAT = 6


@lru_cache(maxsize=1)
def _schema_version() -> str:
    """Digests hold labels: a schema or format change must not serve old ones."""
    schema = json.dumps([DIGEST_FORMAT, record.schema_fields()], sort_keys=True, default=str)
    return hashlib.sha1(schema.encode("utf-8")).hexdigest()[:10]


def _key(name: str) -> str:
    return f"ocsregistry:digest:{tk.config.get('ckan.site_id')}:{_schema_version()}:{name}"


def csv_line(cells: list[Any], lang: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=DELIMITERS[lang], lineterminator="\r\n").writerow(
        [columns.neutralise_formula(c) for c in cells])
    return out.getvalue()


def digest(data: dict[str, Any], facets: Optional[dict[str, list[str]]] = None) -> dict[str, str]:
    """The Redis hash of one record (a package_show dict), all values as text."""
    facets = facets if facets is not None else fields.facet_values(data)
    org = data.get("organization") or {}
    data = dict(data, **{columns.RECORD_URL: record.url(data["name"])})
    out = {"modified": fields.modified_stamp(data.get("metadata_modified"))}
    for lang in record.LANGUAGES:
        cells = [columns.cell(c, data) for c in columns.columns(lang)]
        out[f"cells_{lang}"] = json.dumps(cells, ensure_ascii=False)
        out[f"csv_{lang}"] = csv_line(columns.for_csv(cells, lang), lang)
    out["map"] = json.dumps({
        "name": data["name"],
        "title": data.get("title") or data["name"],
        "organization": {"name": org.get("name", ""), "title": org.get("title", "")},
        "characteristic": data.get("ocs_characteristic") or "",
        "vintages": sorted(int(y) for y in facets[fields.FACET_VINTAGE]),
        "vintage_details": sorted(
            ({"year": int(v["year"]), "status": v.get("status") or "", "note": v.get("note") or ""}
             for v in (data.get("vintages") or []) if isinstance(v, dict) and v.get("year")),
            key=lambda v: v["year"]),
        "region_code": data.get("region_code") or "",
        "former_region_codes": [c for c in (data.get("former_region_codes") or [])
                                if isinstance(c, str)],
        "data_url": data.get("data_url") or "",
        "viewer_url": data.get("viewer_url") or "",
        "regions": {"2016": facets[fields.FACET_REGION],
                    "pre-2016": facets[fields.FACET_FORMER_REGION]},
    }, ensure_ascii=False)
    return out


def clear() -> int:
    """Drop every digest of this site (they are rebuilt as records are indexed)."""
    client = connect_to_redis()
    pattern = f"ocsregistry:digest:{tk.config.get('ckan.site_id')}:*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    for start in range(0, len(keys), BATCH):
        client.delete(*keys[start:start + BATCH])
    return len(keys)


def store(entries: Iterable[tuple[dict[str, Any], Optional[dict[str, list[str]]]]]) -> None:
    """Store the digests of (record, facets) pairs (facets None: computed here)."""
    try:
        computed = {data["name"]: digest(data, facets) for data, facets in entries}
    except Exception as e:  # the cache must never break indexing; the index rebuilds it
        log.warning("could not compute registry digests: %s", e)
        return
    _put(computed)


def _put(digests: dict[str, dict[str, str]]) -> None:
    try:
        pipe = connect_to_redis().pipeline(transaction=False)
        for name, values in digests.items():
            key = _key(name)
            pipe.delete(key)
            pipe.hset(key, mapping=values)
            pipe.expire(key, TTL_SECONDS)
        pipe.execute()
    except Exception as e:  # the cache must never break indexing
        log.warning("could not store registry digests: %s", e)


def _matching_keys(context: dict, search: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, modified) of every matching record, in name order, from one facet."""
    result = tk.get_action("package_search")(dict(context), dict(
        search, rows=0, include_private=True, **{
            "facet.field": [fields.FACET_KEY], "facet.limit": -1, "facet.mincount": 1}))
    items = result["search_facets"].get(fields.FACET_KEY, {}).get("items", [])
    if len(items) < result["count"]:
        # Records indexed before this version have no key: read their stored fields.
        log.warning("%s registry records lack %s; run `ckan search-index rebuild`",
                    result["count"] - len(items), fields.FACET_KEY)
        return _keys_from_documents(context, search)
    return sorted(tuple(item["name"].rsplit("|", 1)) for item in items)


def _keys_from_documents(context: dict, search: dict[str, Any]) -> list[tuple[str, str]]:
    keys, start, rows = [], 0, tk.config.get("ckan.search.rows_max")
    while True:
        result = tk.get_action("package_search")(dict(context), dict(
            search, fl=["name", "metadata_modified"], rows=rows, start=start,
            sort="name asc", include_private=True))
        keys.extend((d["name"], fields.modified_stamp(d.get("metadata_modified")))
                    for d in result["results"])
        start += rows
        if start >= result["count"] or not result["results"]:
            return keys


def _from_index(context: dict, names: list[str]) -> dict[str, dict[str, str]]:
    """Rebuild digests from the search index, for the records the cache misses."""
    result = tk.get_action("package_search")(dict(context), {
        "fq": "+name:({})".format(" OR ".join(f'"{n}"' for n in names)),
        "fl": ["validated_data_dict"], "rows": len(names), "include_private": True})
    records = [json.loads(doc["validated_data_dict"]) for doc in result["results"]]
    rebuilt = {r["name"]: digest(r) for r in records}
    _put(rebuilt)
    return rebuilt


def iter_batches(context: dict, search: dict[str, Any], wanted: tuple[str, ...]
                 ) -> Iterator[list[tuple[str, dict[str, str]]]]:
    """Batches of (name, {field: value}) for every matching record, in name order."""
    keys = _matching_keys(context, search)
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        try:
            pipe = connect_to_redis().pipeline(transaction=False)
            for name, _stamp in batch:
                pipe.hmget(_key(name), "modified", *wanted)
            stored = pipe.execute()
        except Exception as e:
            log.warning("registry digests unavailable, reading the index: %s", e)
            stored = [[None] * (1 + len(wanted))] * len(batch)
        fresh = {name: dict(zip(wanted, (v.decode("utf-8") for v in values[1:])))
                 for (name, modified), values in zip(batch, stored)
                 if values[0] is not None and values[0].decode() == modified
                 and all(v is not None for v in values[1:])}
        missing = [name for name, _m in batch if name not in fresh]
        rebuilt = _from_index(context, missing) if missing else {}
        yield [(name, fresh.get(name) or {f: rebuilt[name][f] for f in wanted})
               for name, _m in batch if name in fresh or name in rebuilt]


def iter_values(context: dict, search: dict[str, Any], field: str) -> Iterator[str]:
    """One digest field (``csv_fr``, ``cells_en``, ``map``...) per matching record."""
    for batch in iter_batches(context, search, (field,)):
        for _name, values in batch:
            yield values[field]
