"""Recent public changes to the registry, from CKAN's activity stream.

Only what anyone may read: activities of registry records that are public
now and were public when the activity was written (CKAN's permission labels;
a deletion is listed when the record was public as it was deleted),
by the people CKAN shows in activity streams (not the site user, as its own
"recently changed packages" stream). Each entry says what changed, labelled
by ``history.changes`` without the restricted fields, whoever asks.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckanext.ocsregistry import history, record

__all__ = ["KINDS", "recent", "DEFAULT_LIMIT", "MAX_LIMIT"]

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
KINDS = {"new package": "created", "changed package": "updated", "deleted package": "deleted"}
KIND_LABELS = {
    "created": {"fr": "Fiche créée", "en": "Record created"},
    "updated": {"fr": "Fiche modifiée", "en": "Record updated"},
    "deleted": {"fr": "Fiche supprimée", "en": "Record deleted"},
}
CHANGED = {"fr": "Modifié : {fields}", "en": "Changed: {fields}"}
NOTHING_SHOWN = {"fr": "Modification sans changement public visible",
                 "en": "No publicly visible change"}


def _public_fields() -> list[dict]:
    return [f for f in record.schema_fields() if not f.get("ocsregistry_restricted")]


def _previous(activity_ids: list[str]) -> dict[str, dict]:
    """The package snapshot each activity follows (the record's previous
    activity), for all the entries at once: one query with a window."""
    from ckan import model
    from ckanext.activity.model import Activity

    if not activity_ids:
        return {}
    table = Activity.__table__
    objects = sa.select(table.c.object_id).where(table.c.id.in_(activity_ids))
    lagged = sa.select(
        table.c.id, sa.func.lag(table.c.id).over(
            partition_by=table.c.object_id, order_by=table.c.timestamp).label("previous_id")
    ).where(table.c.object_id.in_(objects)).subquery()
    pairs = dict(model.Session.execute(
        sa.select(lagged.c.id, lagged.c.previous_id).where(lagged.c.id.in_(activity_ids))).all())
    wanted = [p for p in pairs.values() if p]
    data = dict(model.Session.execute(
        sa.select(table.c.id, table.c.data).where(table.c.id.in_(wanted))).all()) if wanted else {}
    return {a: ((data.get(p) or {}).get("package") or {}) for a, p in pairs.items() if p}


def _summary(kind: str, changed: list[dict], lang: str) -> str:
    if kind != "updated":
        return record.label(KIND_LABELS[kind], lang)
    if not changed:
        return record.label(NOTHING_SHOWN, lang)
    return record.label(CHANGED, lang).format(fields=", ".join(r["label"] for r in changed))


def recent(limit: int = DEFAULT_LIMIT, lang: str = "fr") -> list[dict[str, Any]]:
    """The latest public record changes, newest first: ``{id, kind, kind_label,
    timestamp, name, title, url, organization, summary, fields}``."""
    from ckan import model
    from ckanext.activity.model import Activity
    # CKAN's own filter of its "recently changed packages" stream: the site
    # user's activities (and ckan.hide_activity_from_users') are not shown.
    from ckanext.activity.model.activity import _filter_activitites_from_users

    q = (model.Session.query(Activity)
         .join(model.Package, model.Package.id == Activity.object_id)
         .filter(Activity.activity_type.in_(list(KINDS)),
                 model.Package.type == record.DATASET_TYPE,
                 model.Package.private == sa.false()))
    q = _filter_activitites_from_users(q)
    # Readable by "public" when written (CKAN's permission labels), except a
    # deletion: CKAN labels a deleted record's activity for its CRIGE only, but
    # that a public record was withdrawn is public (it is still public now).
    q = q.filter(sa.or_(Activity.activity_type == "deleted package",
                        Activity.permission_labels.op("&&")(["public"])))
    activities = q.order_by(Activity.timestamp.desc()).limit(limit).all()
    previous = _previous([a.id for a in activities])
    fields = _public_fields()
    restricted = set(record.restricted_fields())
    entries = []
    for activity in activities:
        pkg = (activity.data or {}).get("package") or {}
        kind = KINDS[activity.activity_type]
        changed = (history.changes(previous.get(activity.id, {}), pkg, fields, lang)
                   if kind == "updated" else [])
        org = pkg.get("organization") or {}
        entries.append({
            "id": activity.id,
            "kind": kind,
            "kind_label": record.label(KIND_LABELS[kind], lang),
            "timestamp": activity.timestamp,
            "name": pkg.get("name") or "",
            "title": pkg.get("title") or pkg.get("name") or "",
            "url": record.url(pkg.get("name") or activity.object_id),
            "organization": org.get("title") or org.get("name") or "",
            "summary": _summary(kind, changed, lang),
            "fields": [r["field"] for r in changed if r["field"] not in restricted],
        })
    return entries
