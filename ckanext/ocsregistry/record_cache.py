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
from typing import Any, Iterable, Iterator

from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import indexing, registry_search, registry_table

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
DELIMITERS = {"fr": ";", "en": ","}  # what Excel expects in each locale
TTL_SECONDS = 90 * 24 * 3600  # digests of deleted or renamed records fade away
BATCH = 1000


@lru_cache(maxsize=1)
def _schema_version() -> str:
    """Digests hold labels: a schema change must not serve old ones."""
    fields = json.dumps(registry_table.schema_fields(), sort_keys=True, default=str)
    return hashlib.sha1(fields.encode("utf-8")).hexdigest()[:10]


def _key(name: str) -> str:
    return f"ocsregistry:digest:{tk.config.get('ckan.site_id')}:{_schema_version()}:{name}"


def csv_line(cells: list[Any], lang: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=DELIMITERS[lang], lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def digest(record: dict[str, Any]) -> dict[str, str]:
    """The Redis hash of one record (a package_show dict), all values as text."""
    facets = indexing.facet_values(record)
    org = record.get("organization") or {}
    site_url = tk.config.get("ckan.site_url").rstrip("/")
    record = dict(record, **{
        registry_table.RECORD_URL: f"{site_url}/{registry_search.DATASET_TYPE}/{record['name']}"})
    out = {"modified": indexing.modified_stamp(record.get("metadata_modified"))}
    for lang in LANGUAGES:
        cells = [registry_table.cell(c, record) for c in registry_table.columns(lang)]
        out[f"cells_{lang}"] = json.dumps(cells, ensure_ascii=False)
        out[f"csv_{lang}"] = csv_line(cells, lang)
    out["map"] = json.dumps({
        "name": record["name"],
        "title": record.get("title") or record["name"],
        "organization": {"name": org.get("name", ""), "title": org.get("title", "")},
        "characteristic": record.get("ocs_characteristic") or "",
        "vintages": sorted(int(y) for y in facets[indexing.FACET_VINTAGE]),
        "data_url": record.get("data_url") or "",
        "viewer_url": record.get("viewer_url") or "",
        "regions": {"2016": facets[indexing.FACET_REGION],
                    "pre-2016": facets[indexing.FACET_FORMER_REGION]},
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


def store(records: Iterable[dict[str, Any]]) -> None:
    try:
        pipe = connect_to_redis().pipeline(transaction=False)
        for record in records:
            key = _key(record["name"])
            pipe.delete(key)
            pipe.hset(key, mapping=digest(record))
            pipe.expire(key, TTL_SECONDS)
        pipe.execute()
    except Exception as e:  # the cache must never break indexing
        log.warning("could not store registry digests: %s", e)


def _matching_keys(context: dict, search: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, modified) of every matching record, in name order, from one facet."""
    result = tk.get_action("package_search")(dict(context), dict(
        search, rows=0, include_private=True, **{
            "facet.field": [indexing.FACET_KEY], "facet.limit": -1, "facet.mincount": 1}))
    items = result["search_facets"].get(indexing.FACET_KEY, {}).get("items", [])
    if len(items) < result["count"]:
        # Records indexed before this version have no key: read their stored fields.
        log.warning("%s registry records lack %s; run `ckan search-index rebuild`",
                    result["count"] - len(items), indexing.FACET_KEY)
        return _keys_from_documents(context, search)
    return sorted(tuple(item["name"].rsplit("|", 1)) for item in items)


def _keys_from_documents(context: dict, search: dict[str, Any]) -> list[tuple[str, str]]:
    keys, start, rows = [], 0, tk.config.get("ckan.search.rows_max")
    while True:
        result = tk.get_action("package_search")(dict(context), dict(
            search, fl=["name", "metadata_modified"], rows=rows, start=start,
            sort="name asc", include_private=True))
        keys.extend((d["name"], indexing.modified_stamp(d.get("metadata_modified")))
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
    store(records)
    return {r["name"]: digest(r) for r in records}


def iter_batches(context: dict, search: dict[str, Any], fields: tuple[str, ...]
                 ) -> Iterator[list[tuple[str, dict[str, str]]]]:
    """Batches of (name, {field: value}) for every matching record, in name order."""
    keys = _matching_keys(context, search)
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        try:
            pipe = connect_to_redis().pipeline(transaction=False)
            for name, _stamp in batch:
                pipe.hmget(_key(name), "modified", *fields)
            stored = pipe.execute()
        except Exception as e:
            log.warning("registry digests unavailable, reading the index: %s", e)
            stored = [[None] * (1 + len(fields))] * len(batch)
        fresh = {name: dict(zip(fields, (v.decode("utf-8") for v in values[1:])))
                 for (name, modified), values in zip(batch, stored)
                 if values[0] is not None and values[0].decode() == modified
                 and all(v is not None for v in values[1:])}
        missing = [name for name, _m in batch if name not in fresh]
        rebuilt = _from_index(context, missing) if missing else {}
        yield [(name, fresh.get(name) or {f: rebuilt[name][f] for f in fields})
               for name, _m in batch if name in fresh or name in rebuilt]


def iter_values(context: dict, search: dict[str, Any], field: str) -> Iterator[str]:
    """One digest field (``csv_fr``, ``cells_en``, ``map``...) per matching record."""
    for batch in iter_batches(context, search, (field,)):
        for _name, values in batch:
            yield values[field]
