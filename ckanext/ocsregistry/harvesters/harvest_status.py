"""Whether a record came from a harvest, and from where (ckanext-harvest's tables)."""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins as p
from ckan import model
from ckanext.harvest.model import HarvestObject


def harvest_info(package_id: str) -> Optional[dict[str, Any]]:
    """The harvest source and last harvest of a harvested record, or ``None``."""
    # Without the harvest plugin its tables may not exist.
    if not package_id or not p.plugin_loaded("harvest"):
        return None
    obj = (model.Session.query(HarvestObject)
           .filter(HarvestObject.package_id == package_id, HarvestObject.current.is_(True))
           .order_by(HarvestObject.import_finished.desc().nullslast())
           .first())
    if obj is None or obj.source is None:
        return None
    source_package = model.Package.get(obj.source.id)
    return {
        "source_id": obj.source.id,
        "source_name": source_package.name if source_package else obj.source.id,
        "source_title": obj.source.title or obj.source.url,
        "source_url": obj.source.url,
        "source_type": obj.source.type,
        "last_harvest": obj.import_finished or obj.fetch_finished or obj.gathered,
    }
