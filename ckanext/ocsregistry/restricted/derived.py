"""Second line of defence: derived stores are cleaned whatever reached them.

Restricted values are not in CKAN's package dict to begin with (see
``store``). These guards make sure that a future CKAN code path or another
extension that adds them anyway cannot get them into the search index (and so
the Redis digests, the exports and search results) or into activity rows.
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ckan import model

from ckanext.ocsregistry import extras
from ckanext.ocsregistry.restricted import policy, store

__all__ = ["clean_index_document", "scrub_history", "scrub_all_history", "guard_activity"]

_PACKAGE_ACTIVITIES = ("new package", "changed package", "deleted package")


def clean_index_document(pkg_dict: dict[str, Any], validated: dict[str, Any]) -> None:
    """Remove every restricted value from CKAN's index document (its fields, its
    ``data_dict`` and the parsed ``validated`` record), whoever put them there;
    then give ``validated`` the values of a record whose funding is public."""
    names = policy.fields(pkg_dict.get("type"))
    if not names:
        return
    policy.strip(pkg_dict, names + ["extras_" + n for n in names])
    if pkg_dict.get("data_dict"):
        raw = json.loads(pkg_dict["data_dict"])
        policy.strip(raw, names)
        pkg_dict["data_dict"] = json.dumps(raw)
    policy.strip(validated, names)
    if policy.visibility(validated) == policy.PUBLIC and pkg_dict.get("id"):
        validated.update(policy.shown_values(pkg_dict["type"], store.get(pkg_dict["id"])))


def _scrub_statement(where: str) -> sa.TextClause:
    names = policy.fields()
    paths = " ".join(f"#- '{{package,{name}}}'" for name in names)
    return sa.text(f"""
        UPDATE activity SET data = ((data::jsonb) {paths})::text
        WHERE activity_type IN :types {where}
          AND (data::jsonb -> 'package') ?| :names
    """).bindparams(sa.bindparam("types", _PACKAGE_ACTIVITIES, expanding=True),
                    sa.bindparam("names", names, type_=sa.ARRAY(sa.UnicodeText)))


def _has_activity_table() -> bool:
    return sa.inspect(model.Session.connection()).has_table("activity")


def scrub_history(package_id: str) -> None:
    """Remove restricted values from every activity snapshot of a record whose
    funding is (now) restricted, including snapshots taken while it was public;
    in the caller's transaction."""
    if _has_activity_table():
        model.Session.execute(_scrub_statement("AND object_id = :id"), {"id": package_id})


def scrub_all_history() -> int:
    """The same for every registry record whose funding is not public now."""
    if not _has_activity_table():
        return 0
    visibility = extras.package_value_sql("funding_visibility", "p")
    return model.Session.execute(_scrub_statement(f"""AND object_id IN (
        SELECT p.id FROM package p
        WHERE coalesce({visibility}, '') <> :public)"""), {"public": policy.PUBLIC}).rowcount


def _scrub_new_activity(mapper, connection, target) -> None:
    if target.activity_type not in _PACKAGE_ACTIVITIES or not isinstance(target.data, dict):
        return
    package = target.data.get("package")
    if not isinstance(package, dict) or policy.visibility(package) == policy.PUBLIC:
        return
    names = policy.fields(package.get("type"))
    if names:
        package = dict(package)
        policy.strip(package, names)
        target.data = dict(target.data, package=package)


def guard_activity() -> None:
    """Scrub every activity row as it is inserted (ckanext-activity loaded or not)."""
    try:
        from ckanext.activity.model import Activity
    except ImportError:
        return
    if not sa.event.contains(Activity, "before_insert", _scrub_new_activity):
        sa.event.listen(Activity, "before_insert", _scrub_new_activity)
