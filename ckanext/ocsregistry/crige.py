"""The CRIGEs: organisations and the regions a sysadmin recorded them to cover.

``regions_covered`` is an extra of the organisation (scheming organisation
schema), read here in one query however many organisations, wherever the CKAN
version stores extras (``extras.py``).
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Optional

from ckan import model

from ckanext.ocsregistry import extras, regions

__all__ = ["CoveringOrganisation", "regions_covered"]

_FIELD = "regions_covered"


class CoveringOrganisation(NamedTuple):
    id: str
    name: str
    regions: list[str]


def _raw_values(ids: Optional[Iterable[str]]):
    """(id, name, stored regions_covered value) of active organisations that have one."""
    value = extras.group_value(_FIELD)
    query = (model.Session.query(model.Group.id, model.Group.name, value)
             .filter(value.isnot(None), model.Group.is_organization.is_(True),
                     model.Group.state == "active"))
    if ids is not None:
        query = query.filter(model.Group.id.in_(list(ids)))
    return query


def regions_covered(ids: Optional[Iterable[str]] = None) -> list[CoveringOrganisation]:
    """The active organisations (those of ``ids``, or all) that have a
    ``regions_covered`` value, with the regions it names, sorted by name."""
    if ids is not None:
        ids = [i for i in ids if i]
        if not ids:
            return []
    return sorted((CoveringOrganisation(row[0], row[1], regions.covered_regions(row[2]))
                   for row in _raw_values(ids)), key=lambda o: o.name)
