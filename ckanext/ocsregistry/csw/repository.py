"""pycsw's records table, in CKAN's database, kept in step with the registry.

The table has pycsw's own columns (``pycsw.core.admin.setup_db``), filled by
pycsw's parser from each public record's ISO 19139 document, so pycsw serves
it as it would a table it had loaded itself. It is written here only:

- on every save (``after_dataset_create/update/delete``, in the transaction of
  the save, inside a savepoint so a fault here never loses the save) and after
  the organisation's bulk private/public/delete actions (right after their
  commit): ``sync``;
- by ``ckan ocsregistry csw-sync`` (``rebuild``): every public record
  rewritten, every other row removed; safe to repeat.

Private, deleted and non-registry datasets have no row; restricted values are
never in a document (``iso19139`` reads public fields only).
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

import sqlalchemy as sa
from lxml import etree
from sqlalchemy import Column, ForeignKey
from sqlalchemy.dialects.postgresql import insert

from ckan import model
import ckan.plugins.toolkit as tk

from ckanext.ocsregistry.csw import iso19139, records

log = logging.getLogger(__name__)

__all__ = ["TABLE_NAME", "CswRecord", "enabled", "sync", "sync_many", "remove", "rebuild", "row",
           "bulk_update_private", "bulk_update_public", "bulk_update_delete"]

TABLE_NAME = "ocsregistry_csw_record"
# pycsw's columns besides identifier and its not-null ones (pycsw.core.admin.setup_db).
OPTIONAL_COLUMNS = (
    "language", "type", "title", "title_alternate", "abstract", "keywords", "keywordstype",
    "parentidentifier", "relation", "time_begin", "time_end", "topicategory",
    "resourcelanguage", "creator", "publisher", "contributor", "organization",
    "securityconstraints", "accessconstraints", "otherconstraints", "date", "date_revision",
    "date_creation", "date_publication", "date_modified", "format", "source", "crs",
    "geodescode", "denominator", "distancevalue", "distanceuom", "wkt_geometry",
    "servicetype", "servicetypeversion", "operation", "couplingtype", "operateson",
    "operatesonidentifier", "operatesoname", "degree", "classification",
    "conditionapplyingtoaccessanduse", "lineage", "responsiblepartyrole",
    "specificationtitle", "specificationdate", "specificationdatetype", "links",
)
REQUIRED_COLUMNS = ("typename", "schema", "mdsource", "insert_date", "xml", "anytext")

_TABLE = sa.Table(
    TABLE_NAME, tk.BaseModel.metadata,
    # a row per public record, gone with the record when it is purged
    Column("identifier", sa.UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
           primary_key=True),
    *(Column(name, sa.UnicodeText, nullable=False) for name in REQUIRED_COLUMNS),
    *(Column(name, sa.UnicodeText) for name in OPTIONAL_COLUMNS),
)


class CswRecord(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A row of pycsw's records table (the ORM class pycsw's queries use)."""
    __table__ = _TABLE


def enabled() -> bool:
    return tk.asbool(tk.config.get("ckanext.ocsregistry.csw.enabled"))


def row(pkg: dict[str, Any]) -> dict[str, Any]:
    """The table row of a public record: its ISO 19139 document and the columns
    pycsw queries and writes Dublin Core from, in pycsw's formats.

    Filled from the same description as the document (``iso19139.describe``):
    pycsw 2.6's own ISO parser expects OWSLib < 0.29, which ckanext-spatial's
    OWSLib 0.32 is not (``identification`` became a list).
    """
    # pycsw is imported by the first save that needs it, not by every process.
    from pycsw.core import util

    md = iso19139.describe(pkg)
    # stored without its XML declaration, as pycsw stores documents (it parses them from text)
    tree = etree.fromstring(iso19139.render(md))
    links = [f"{link['name']},None,{link['protocol']},{link['url']}" for link in md["links"]]
    bbox = md["bbox"]
    values = {
        "identifier": md["file_identifier"], "typename": "gmd:MD_Metadata",
        "schema": iso19139.GMD, "mdsource": "local", "insert_date": util.get_today_and_now(),
        "xml": etree.tostring(tree, encoding="unicode"), "anytext": util.get_anytext(tree),
        "language": "fre", "resourcelanguage": "fre", "type": "dataset",
        "title": md["title"], "abstract": md["abstract"],
        "keywords": ",".join([iso19139.INSPIRE_THEME[0], *md["keywords"]]),
        "keywordstype": "theme", "topicategory": iso19139.TOPIC_CATEGORY,
        "date": md["metadata_date"], "date_modified": md["metadata_date"],
        "date_creation": md["created"], "date_revision": md["revised"],
        "time_begin": md["begin"], "time_end": md["end"],
        "creator": ";".join(md["producers"]) or None, "publisher": md["crige"] or None,
        "organization": md["crige"] or None, "responsiblepartyrole": "pointOfContact",
        "accessconstraints": "otherRestrictions", "otherconstraints": md["access_text"],
        "conditionapplyingtoaccessanduse": md["use_text"],
        "denominator": str(md["scales"][0]) if md["scales"] else None,
        "geodescode": md["region_code"] or None, "lineage": md["lineage"],
        "specificationtitle": iso19139.REGULATION,
        "specificationdate": iso19139.REGULATION_DATE, "specificationdatetype": "publication",
        "links": "^".join(links) or None,
        "wkt_geometry": util.bbox2wktpolygon(",".join(str(v) for v in bbox)) if bbox else None,
    }
    return {column.name: values.get(column.name) for column in _TABLE.columns}


def _upsert(values: dict[str, Any]) -> None:
    statement = insert(_TABLE).values(**values)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=[_TABLE.c.identifier],
        set_={k: statement.excluded[k] for k in values if k != "identifier"}))


def _delete(ids: Iterable[str]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    return model.Session.execute(_TABLE.delete().where(_TABLE.c.identifier.in_(ids))).rowcount


def sync(package_id: str) -> None:
    """Write or remove one record's row as it now is (in the current transaction)."""
    if not enabled() or not package_id:
        return
    try:
        try:
            pkg = records.public_record(package_id)
        except tk.ObjectNotFound:
            _in_savepoint(lambda: _remove(package_id))
            return
        document = row(pkg)
        _in_savepoint(lambda: _upsert(document))
    except Exception:  # noqa: BLE001 - the save goes on; `ckan ocsregistry csw-sync` repairs
        log.exception("CSW: record %s not synchronised", package_id)


def _in_savepoint(work) -> None:
    """Run ``work`` in a SAVEPOINT of the session's connection: a fault rolls
    back this work only, never the save around it.

    A connection-level savepoint, not ``Session.begin_nested()``: releasing a
    session savepoint runs the session's commit hooks, where CKAN 2.11 sends
    the transaction's records to the search index, so a bulk import that then
    rolled back left its first records searchable though never stored."""
    savepoint = model.Session.connection().begin_nested()
    try:
        work()
    except Exception:
        savepoint.rollback()
        raise
    savepoint.commit()


def _remove(id_or_name: str) -> None:
    obj = model.Package.get(id_or_name)
    _delete([obj.id if obj is not None else id_or_name])


def remove(package_id: str) -> None:
    """Remove a record's row (``after_dataset_delete``: CKAN calls it before it
    marks the record deleted, so ``sync`` would still find it public)."""
    if not enabled() or not package_id:
        return
    try:
        _in_savepoint(lambda: _remove(package_id))
    except Exception:  # noqa: BLE001 - as in sync
        log.exception("CSW: record %s not removed", package_id)


def sync_many(package_ids: Iterable[str]) -> None:
    for package_id in package_ids:
        sync(package_id)
    model.Session.commit()


def rebuild() -> dict[str, Any]:
    """Rewrite every public record's row and remove every other row; commits.

    A record whose row cannot be written is named in ``failed`` (its old row,
    if any, is kept) and the others are written all the same.
    """
    seen, failed = set(), []
    for pkg in records.public_records():
        seen.add(pkg["id"])
        try:
            with model.Session.begin_nested():
                _upsert(row(pkg))
        except Exception as e:  # noqa: BLE001 - reported by name, the others go on
            log.exception("CSW: record %s not written", pkg.get("name"))
            failed.append(f"{pkg.get('name')}: {type(e).__name__}: {e}")
    stale = [r[0] for r in model.Session.execute(sa.select(_TABLE.c.identifier))
             if r[0] not in seen]
    removed = _delete(stale)
    model.Session.commit()
    return {"records": len(seen) - len(failed), "removed": removed, "failed": failed}


# The organisation page's bulk actions change privacy or delete without the
# IPackageController hooks: their records are synchronised after them.

def _after_bulk(action, context: dict, data_dict: dict[str, Any]) -> Any:
    result = action(context, data_dict)
    ids = data_dict.get("datasets") if isinstance(data_dict, dict) else None
    if isinstance(ids, list):
        sync_many(i for i in ids if isinstance(i, str))
    return result


@tk.chained_action
def bulk_update_private(action, context, data_dict):
    return _after_bulk(action, context, data_dict)


@tk.chained_action
def bulk_update_public(action, context, data_dict):
    return _after_bulk(action, context, data_dict)


@tk.chained_action
def bulk_update_delete(action, context, data_dict):
    return _after_bulk(action, context, data_dict)
