"""Where restricted funding and price values live: a table of this extension.

The values are never stored in CKAN's package (no ``package_extra`` row), so
nothing CKAN builds from its package dict (search index, activity snapshots,
harvest payloads, RDF) can carry them unless this extension adds them. This
module is the only one that reads or writes the table.

A record's row holds ``{field: value}`` for its non-empty restricted fields,
as validated (numbers as canonical decimal text).
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, types
from sqlalchemy.dialects.postgresql import JSONB, insert

from ckan import model
from ckan.plugins import toolkit as tk

__all__ = ["RestrictedValues", "get", "get_many", "save"]


class RestrictedValues(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "ocsregistry_restricted_value"

    package_id = Column(types.UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
                        primary_key=True)
    values = Column(JSONB, nullable=False)
    modified = Column(types.DateTime, nullable=False)


_TABLE = RestrictedValues.__table__


def get(package_id: str) -> dict[str, Any]:
    row = model.Session.execute(
        sa.select(_TABLE.c["values"]).where(_TABLE.c.package_id == package_id)).first()
    return dict(row[0]) if row else {}


def get_many(names: Iterable[str], owner_orgs: Optional[Iterable[str]] = None
             ) -> dict[str, dict[str, Any]]:
    """``{record name: values}`` for the named records, in one query.

    :param owner_orgs: only records owned by these organisation ids
        (``None``: any owner, for sysadmins)
    """
    names = list(names)
    if not names:
        return {}
    package = model.package_table
    query = (sa.select(package.c.name, _TABLE.c["values"])
             .select_from(_TABLE.join(package, package.c.id == _TABLE.c.package_id))
             .where(package.c.name.in_(names)))
    if owner_orgs is not None:
        query = query.where(package.c.owner_org.in_(list(owner_orgs)))
    return {name: dict(values) for name, values in model.Session.execute(query)}


def save(package_id: str, changes: Mapping[str, Any]) -> None:
    """Set the fields in ``changes`` (empty values clear them); others are kept.

    Written in the caller's transaction, so a failed write leaves nothing.
    """
    if not changes:
        return
    values = get(package_id)
    for field, value in changes.items():
        if value in (None, "", []):
            values.pop(field, None)
        else:
            values[field] = value
    model.Session.flush()  # the package row must exist before its values
    if not values:
        model.Session.execute(sa.delete(_TABLE).where(_TABLE.c.package_id == package_id))
        return
    now = datetime.datetime.utcnow()
    statement = insert(_TABLE).values(package_id=package_id, values=values, modified=now)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=[_TABLE.c.package_id], set_={"values": values, "modified": now}))

