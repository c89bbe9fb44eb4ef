"""Actions of the OCS registry (side-effect free, except the re-read mark)."""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import national_map, record, regions, review
from ckanext.ocsregistry.search import digests, query
from ckanext.ocsregistry.logic import schema as ocs_schema
# CKAN's own write actions, chained: they refuse misshapen data (logic/shape.py).
from ckanext.ocsregistry.logic.shape import package_create, package_update

__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_review_list",
           "ocsregistry_record_reread", "package_create", "package_update"]


def validate_filters(data_dict: dict[str, Any], schema: dict, context: dict) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    low, high = data.get("ext_vintage_from"), data.get("ext_vintage_to")
    if low and high and low > high and not errors.get("ext_vintage_to"):
        errors["ext_vintage_to"] = [tk._("Must not be before the start of the vintage range")]
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def ocsregistry_region_list(context: dict, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The INSEE regions records can refer to, with their extent.

    :param era: ``2016`` (current regions, default) or ``pre-2016`` (the
        regions as they were before the 2016 merger)
    :returns: a list of ``{code, name, era, current_code, predecessors, bbox}``
    """
    tk.check_access("ocsregistry_region_list", context, data_dict)
    data, errors = tk.navl_validate(data_dict, ocs_schema.region_list_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    listed = regions.current_regions() if data["era"] == "2016" else regions.pre_2016_regions()
    return [
        {
            "code": r.code,
            "name": r.name,
            "era": r.era,
            "current_code": r.current_code,
            "predecessors": regions.predecessors(r.code),
            "bbox": list(regions.bbox([r.code]) or []),
        }
        for r in listed
    ]


@tk.side_effect_free
def ocsregistry_map_data(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The national map's data: every region with the registry's bases there.

    One search (paged by ``ckan.search.rows_max``) over the records the user
    may see. Filters take the catalogue search's parameter names.

    :param era: ``2016`` (current regions, default) or ``pre-2016`` (also
        written ``pre2016``)
    :param q: free text
    :param vocab_ocsregistry_characteristic: OCS characteristic code(s)
    :param vocab_ocsregistry_dimension: ``land_cover`` or ``land_use``
    :param organization: CRIGE (organisation name)
    :param vocab_ocsregistry_region: current region code(s)
    :param ext_vintage_from: earliest vintage year
    :param ext_vintage_to: latest vintage year
    :param ext_bbox: ``west,south,east,north``
    :returns: ``{era, count, legend, regions: [{code, name, status,
        status_label, color, bases: [...]}]}``
    """
    tk.check_access("ocsregistry_map_data", context, data_dict)
    filters = validate_filters(data_dict, ocs_schema.map_data_schema(), context)
    search = query.package_search_params(filters)
    entries = (json.loads(v) for v in digests.iter_values(context, search, "map"))
    return national_map.build(entries, filters["era"])


# What the review list reads from the index: stored fields, no record is loaded.
_REVIEW_FIELDS = ["name", "title", "private", review.SOLR_FIELD, "extras_info_updated",
                  "extras_review_frequency_months"]


@tk.side_effect_free
def ocsregistry_review_list(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A CRIGE's records by review due date, the most overdue first.

    Due dates are public (they follow from the public information date and
    review frequency); the list holds the records the caller may see (private
    ones for the CRIGE's members). Read from the search index (field
    ``ocsregistry_review_due_date``), a page of ``ckan.search.rows_max`` at a time.

    :param id: the CRIGE (organisation name or id)
    :param due_only: only the records due for review (default false)
    :returns: ``{organization: {id, name, title}, today, count, due_count,
        records: [{name, title, url, private, info_updated,
        review_frequency_months, due_date, is_due}]}``
    """
    tk.check_access("ocsregistry_review_list", context, data_dict)
    org_id = data_dict.get("id")
    if not org_id or not isinstance(org_id, str):
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    try:
        due_only = review.filter_value(data_dict.get("due_only"))
    except ValueError:
        raise tk.ValidationError({"due_only": [tk._("Must be true or false")]})
    org = tk.get_action("organization_show")(dict(context), {
        "id": org_id, "include_datasets": False, "include_users": False,
        "include_extras": False, "include_groups": False, "include_tags": False,
        "include_followers": False})
    on = review.today()
    fq = f'+dataset_type:{record.DATASET_TYPE} +owner_org:"{org["id"]}"'
    if due_only:
        fq += " " + review.due_fq(on)
    records, start, rows = [], 0, tk.config.get("ckan.search.rows_max")
    while True:
        result = tk.get_action("package_search")(dict(context), {
            "fq": fq, "fl": _REVIEW_FIELDS, "rows": rows, "start": start,
            "sort": f"{review.SOLR_FIELD} asc, name asc", "include_private": True})
        for doc in result["results"]:
            due = str(doc.get(review.SOLR_FIELD) or "")[:10] or None
            records.append({
                "name": doc["name"], "title": doc.get("title") or doc["name"],
                "url": record.url(doc["name"]), "private": bool(doc.get("private")),
                # (package_search returns extras_* fields without their prefix)
                "info_updated": doc.get("info_updated") or None,
                "review_frequency_months": doc.get("review_frequency_months") or None,
                "due_date": due, "is_due": bool(due) and due < on.isoformat(),
            })
        start += rows
        if start >= result["count"] or not result["results"]:
            break
    return {"organization": {"id": org["id"], "name": org["name"], "title": org.get("title")},
            "today": on.isoformat(), "count": len(records),
            "due_count": sum(1 for r in records if r["is_due"]), "records": records}


def ocsregistry_record_reread(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Mark a record as re-read: its information date becomes today, nothing
    else changes (restricted funding values are kept). One history entry.

    Allowed to whoever may update the record (``package_update``: the CRIGE's
    editors and admins, not for a harvested record, which is edited at its source).

    :param id: the record (name or id)
    :returns: the record, as ``package_show`` returns it
    """
    ident = data_dict.get("id")
    if not ident or not isinstance(ident, str):
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    tk.check_access("ocsregistry_record_reread", context, {"id": ident})
    shown = tk.get_action("package_show")(dict(context), {"id": ident})
    if shown.get("type") != record.DATASET_TYPE:
        raise tk.ValidationError({"id": [tk._("Not a registry record")]})
    today = review.today().isoformat()
    if shown.get("info_updated") == today:
        return shown  # already re-read today: nothing to write
    # package_patch reads the record as this user (who may edit it, so sees its
    # restricted values) and writes it back with the one field changed.
    return tk.get_action("package_patch")(dict(context), {"id": shown["id"], "info_updated": today})
