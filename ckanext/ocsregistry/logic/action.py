"""Actions of the OCS registry (side-effect free, except the re-read mark)."""
from __future__ import annotations

import datetime
import functools
import json
import re
from typing import Any

from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import (changes, compare, indicators, national_map, record, regions,
                                 review, timeline)
from ckanext.ocsregistry.csw import iso19139, records as csw_records
# CKAN's bulk actions, chained: the CSW table follows their privacy changes and deletions.
from ckanext.ocsregistry.csw.repository import (bulk_update_delete, bulk_update_private,
                                                bulk_update_public)
from ckanext.ocsregistry.search import digests, fields, query, summary
from ckanext.ocsregistry.search.fields import FACET_REGION
from ckanext.ocsregistry.logic import schema as ocs_schema
from ckanext.ocsregistry.logic import shape
# CKAN's own write actions, chained: they refuse misshapen data (logic/shape.py).
from ckanext.ocsregistry.logic.shape import package_create
from ckanext.ocsregistry.restricted import write as restricted_write

__all__ = ["ocsregistry_region_list", "ocsregistry_map_data", "ocsregistry_crige_list",
           "ocsregistry_region_summary", "ocsregistry_indicators",
           "ocsregistry_review_list", "ocsregistry_record_reread", "ocsregistry_timeline",
           "ocsregistry_compare", "ocsregistry_changes", "ocsregistry_iso19139_show",
           "package_create", "package_update", "bulk_update_private", "bulk_update_public",
           "bulk_update_delete"]


@tk.chained_action
def package_update(next_action, context: dict, data_dict: dict[str, Any]) -> Any:
    """CKAN's ``package_update`` (``package_patch`` and ``package_revise`` call it),
    chained: misshapen data refused (logic/shape.py), then the restricted values
    written even when CKAN found the package itself unchanged (restricted/write.py)."""
    return shape.package_update(
        functools.partial(restricted_write.update_restricted, next_action), context, data_dict)


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
def ocsregistry_crige_list(context: dict, data_dict: dict[str, Any]) -> list[dict[str, str]]:
    """The CRIGEs (the site's active organisations), as the registry's filters offer them.

    One query however many there are: ``organization_list`` with ``all_fields``
    shows each organisation in turn (each with its own Solr count, two thirds
    of the map page's time) and stops at
    ``ckan.group_and_organization_list_all_fields_max`` (25).

    :returns: ``[{name, title}]``, sorted by title regardless of case
    """
    tk.check_access("ocsregistry_crige_list", context, data_dict)
    rows = (model.Session.query(model.Group.name, model.Group.title)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active"))
    return sorted(({"name": name, "title": title or name} for name, title in rows),
                  key=lambda org: org["title"].casefold())


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


@tk.side_effect_free
def ocsregistry_timeline(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The vintage timeline: regions by years, each vintage of each base.

    The same search and filters as ``ocsregistry_map_data`` (records the user
    may see; one search, then the map's cached entries, never a record read
    one by one).

    :returns: ``{era, count, years, legend: [{value, label, symbol}],
        regions: [{code, name, bases: [{name, title, url, organization,
        vintages: [{year, status, status_label, symbol, note}]}]}]}``
    """
    tk.check_access("ocsregistry_timeline", context, data_dict)
    filters = validate_filters(data_dict, ocs_schema.map_data_schema(), context)
    search = query.package_search_params(filters)
    entries = (json.loads(v) for v in digests.iter_values(context, search, "map"))
    return timeline.build(entries, filters["era"])


# CKAN's dataset names (name_validator): anything else names no record.
_RECORD_NAME = re.compile(r"^[a-z0-9_\-]{2,100}$")


def _compare_choices(context: dict) -> list[dict[str, str]]:
    """Every record the user may see, for the comparison's form (names and titles only)."""
    result = tk.get_action("package_search")(dict(context), {
        "fq": f"+dataset_type:{record.DATASET_TYPE}", "fl": ["name", "title", FACET_REGION],
        "rows": tk.config.get("ckan.search.rows_max"), "sort": "title_string asc",
        "include_private": True})
    # grouped on the form by current region (a base of a former region under its region)
    return [{"value": d["name"], "label": d.get("title") or d["name"],
             "region": regions.name((d.get(FACET_REGION) or [""])[0])} for d in result["results"]]


@tk.side_effect_free
def ocsregistry_compare(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Two to four records side by side, without restricted values.

    :param records: record names, a list or one comma-separated text (none:
        only the records one may choose, for the form)
    :param lang: ``fr`` or ``en`` (default: the page's language)
    :returns: ``{records: [{name, title, url, organization, private}],
        rows: [{field, label, values, differ}], choices: [{value, label, region}]}``
    """
    tk.check_access("ocsregistry_compare", context, data_dict)
    data, errors = tk.navl_validate(data_dict, ocs_schema.compare_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    lang = data.get("lang") or record.current_language()
    try:
        names = compare.parse_names(data.get("records") or [])
    except ValueError:
        raise tk.ValidationError({"records": [tk._("Must be record names separated by commas")]})
    out: dict[str, Any] = {"records": [], "rows": [], "choices": _compare_choices(context)}
    if not names:
        return out
    if not compare.MIN_RECORDS <= len(names) <= compare.MAX_RECORDS:
        raise tk.ValidationError({"records": [tk._(
            "Choose from {0} to {1} different records ({2} given)").format(
                compare.MIN_RECORDS, compare.MAX_RECORDS, len(names))]})
    valid = [n for n in names if _RECORD_NAME.fullmatch(n)]
    found: list[dict[str, Any]] = []
    if valid:
        result = tk.get_action("package_search")(dict(context), {
            "fq": "+dataset_type:{} +name:({})".format(
                record.DATASET_TYPE, " OR ".join(f'"{n}"' for n in valid)),
            "fl": ["validated_data_dict"], "rows": len(valid), "include_private": True})
        found = [json.loads(d["validated_data_dict"]) for d in result["results"]]
    packages = compare.ordered(found, names)
    missing = [n for n in names if n not in {p["name"] for p in packages}]
    if missing:
        # A private record of another CRIGE is as unknown as a misspelt name.
        raise tk.ValidationError({"records": [tk._("No record you may see is named: {0}").format(
            ", ".join(missing))]})
    out["records"] = [{"name": p["name"], "title": p.get("title") or p["name"],
                       "url": record.url(p["name"]), "private": bool(p.get("private")),
                       "organization": {k: (p.get("organization") or {}).get(k, "")
                                        for k in ("name", "title")}} for p in packages]
    out["rows"] = compare.rows(packages, lang)
    return out


@tk.side_effect_free
def ocsregistry_changes(context: dict, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The registry's latest public changes (records created, updated,
    deleted), newest first, without private records nor restricted values.

    :param limit: how many (1 to 100, default 50)
    :param lang: language of the labels, ``fr`` (default) or ``en``
    :returns: ``[{id, kind, kind_label, timestamp, name, title, url,
        organization, summary, fields}]``
    """
    tk.check_access("ocsregistry_changes", context, data_dict)
    data, errors = tk.navl_validate(data_dict, ocs_schema.changes_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    entries = changes.recent(data["limit"], data["lang"])
    for entry in entries:
        entry["timestamp"] = entry["timestamp"].isoformat()
    return entries


@tk.side_effect_free
def ocsregistry_iso19139_show(context: dict, data_dict: dict[str, Any]) -> str:
    """The ISO 19139 document (XML text) of a public registry record.

    ``id``: the record's id or name. Private, deleted and unknown records are
    not found, whoever asks: the document is what CSW clients harvest.
    """
    tk.check_access("ocsregistry_iso19139_show", context, data_dict)
    return iso19139.document(csw_records.public_record(data_dict.get("id"))).decode("utf-8")


@tk.side_effect_free
def ocsregistry_region_summary(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What the registry holds in each region, counted by the search index.

    One faceted search, whatever the number of records (search/summary.py):
    the map's colours, the registry home's indicators and the timeline read
    it; ``ocsregistry_map_data`` lists the bases themselves. Same filters as
    ``ocsregistry_map_data``, plus ``vocab_ocsregistry_trait`` (``large_scale``,
    ``two_dimensions``, ``in_production``, ``planned``) and
    ``ext_latest_vintage_from`` (latest available vintage that year or later).

    :returns: ``{era, count, traits: {trait: records}, legend, regions: [{code,
        name, status, status_label, color, coverage, fill_under, record_count,
        characteristics: [{value, label, count, partial}], traits: {trait:
        records}, latest_vintage}]}``
    """
    tk.check_access("ocsregistry_region_summary", context, data_dict)
    filters = validate_filters(data_dict, ocs_schema.map_data_schema(), context)
    search = query.package_search_params(filters)
    result = tk.get_action("package_search")(dict(context), dict(
        search, rows=0, include_private=True, **{
            "facet.field": [fields.FACET_REGION_SUMMARY, fields.FACET_TRAIT],
            "facet.limit": -1, "facet.mincount": 1}))
    facets = result["search_facets"]
    cells = facets.get(fields.FACET_REGION_SUMMARY, {}).get("items", [])
    traits = {item["name"]: item["count"]
              for item in facets.get(fields.FACET_TRAIT, {}).get("items", [])}
    return national_map.build_summary(
        summary.parse_counts(cells, filters["era"]), result["count"],
        {t: traits.get(t, 0) for t in summary.TRAITS}, filters["era"])


@tk.side_effect_free
def ocsregistry_indicators(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The registry home's coverage indicators, over the current regions.

    Each indicator has its ``value`` (of ``of`` regions or records), its
    ``label`` and ``definition`` (from the record's fields) in the request's
    language, and the catalogue search ``filters`` listing its records.

    :returns: ``{as_of, indicators: [{key, value, of, unit, label, definition,
        filters}], summary}`` (``summary``: ``ocsregistry_region_summary``)
    """
    tk.check_access("ocsregistry_indicators", context, data_dict)
    summary_data = tk.get_action("ocsregistry_region_summary")(dict(context), {"era": "2016"})
    today = datetime.date.today()
    return {"as_of": today.isoformat(), "indicators": indicators.build(summary_data, today),
            "summary": summary_data}
