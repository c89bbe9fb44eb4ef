"""Whether records came from a harvest, and from where (ckanext-harvest's tables)."""
from __future__ import annotations

from typing import Any, Iterable, Optional

import ckan.plugins as p
from ckan import model
from ckanext.harvest.model import HarvestObject, HarvestSource
from sqlalchemy.orm import aliased


def harvest_info(package_id: str) -> Optional[dict[str, Any]]:
    """The harvest source and last harvest of a harvested record, or ``None``."""
    return harvest_infos([package_id]).get(package_id)


def harvest_infos(package_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``harvest_info`` of many records in one query: ``{package id: info}``,
    the harvested ones only."""
    ids = sorted({i for i in package_ids if i})
    # Without the harvest plugin its tables may not exist.
    if not ids or not p.plugin_loaded("harvest"):
        return {}
    record = aliased(model.Package)
    source_package = aliased(model.Package)
    rows = (model.Session.query(HarvestObject, HarvestSource, record.name, source_package.name)
            .join(HarvestSource, HarvestObject.harvest_source_id == HarvestSource.id)
            .join(record, record.id == HarvestObject.package_id)
            .outerjoin(source_package, source_package.id == HarvestSource.id)
            .filter(HarvestObject.package_id.in_(ids), HarvestObject.current.is_(True))
            .order_by(HarvestObject.import_finished.desc().nullslast()))
    found: dict[str, dict[str, Any]] = {}
    for obj, source, record_name, source_name in rows:
        # rows come latest import first: the first one of a record describes it
        found.setdefault(obj.package_id, {
            "name": record_name,
            "source_id": source.id,
            "source_name": source_name or source.id,
            "source_title": source.title or source.url,
            "source_url": source.url,
            "source_type": source.type,
            "last_harvest": obj.import_finished or obj.fetch_finished or obj.gathered,
        })
    return found
