"""Where CKAN stores the extras of datasets and organisations.

The registry's fields (scheming) are extras. CKAN 2.11 keeps them as rows of
the ``package_extra`` and ``group_extra`` tables (key, value, state); CKAN 2.12
keeps them in a JSONB ``extras`` column of ``package`` and ``group``. The few
queries that read an extra in SQL, rather than through ``package_show``, take
it from here, as one value per package or group, without a join.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit as tk

__all__ = ["in_columns", "package_value", "group_value", "package_value_sql",
           "stored_package_extras"]

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


def in_columns() -> bool:
    """Extras are a JSONB column of their object (CKAN 2.12 and later)."""
    return tk.check_ckan_version(min_version="2.12")


def _value(table: Any, extra_table: Any, owner_column: str, key: str) -> Any:
    if in_columns():
        return table.extras[key].astext
    return (sa.select(extra_table.value)
            .where(getattr(extra_table, owner_column) == table.id, extra_table.key == key,
                   extra_table.state == "active")
            .scalar_subquery())


def package_value(key: str) -> Any:
    """SQL expression: a dataset's extra ``key`` (NULL when it has none), for
    queries on ``model.Package``."""
    return _value(model.Package, getattr(model, "PackageExtra", None), "package_id", key)


def group_value(key: str) -> Any:
    """SQL expression: an organisation's extra ``key`` (NULL when it has none),
    for queries on ``model.Group``."""
    return _value(model.Group, getattr(model, "GroupExtra", None), "group_id", key)


def package_value_sql(key: str, package_alias: str = "p") -> str:
    """The same for a raw SQL statement, the package table named ``package_alias``."""
    if not _KEY.match(key) or not _KEY.match(package_alias):
        raise ValueError(f"not an extra key or table alias: {key!r}, {package_alias!r}")
    if in_columns():
        return f"({package_alias}.extras ->> '{key}')"
    return (f"(SELECT e.value FROM package_extra e WHERE e.package_id = {package_alias}.id "
            f"AND e.key = '{key}' AND e.state = 'active')")


def stored_package_extras(package_id: str) -> dict[str, str]:
    """Every extra stored in CKAN's own tables for a dataset: what a check that
    a value never reached CKAN's package reads."""
    if in_columns():
        statement = ("SELECT kv.key, kv.value FROM package p, jsonb_each_text(p.extras) kv "
                     "WHERE p.id = :id")
    else:
        statement = "SELECT key, value FROM package_extra WHERE package_id = :id"
    return dict(model.Session.execute(sa.text(statement), {"id": package_id}).all())
