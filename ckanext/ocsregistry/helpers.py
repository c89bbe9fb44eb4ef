"""Template helpers of the OCS registry."""
from __future__ import annotations

import datetime
import json
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.ocsregistry import history, record, regions, restricted

__all__ = [
    "ocsregistry_current_region_choices",
    "ocsregistry_merged_region_choices",
    "ocsregistry_form_sections",
    "ocsregistry_can_see_restricted",
    "ocsregistry_review_due",
    "ocsregistry_label",
    "ocsregistry_json_script",
    "ocsregistry_field_choices",
    "ocsregistry_request_query",
    "ocsregistry_harvest_info",
    "ocsregistry_history_rows",
    "ocsregistry_former_region_options",
    "ocsregistry_org_regions",
    "ocsregistry_form_default_region",
    "humanize_entity_type",
]


def ocsregistry_current_region_choices(field: Optional[dict] = None) -> list[dict[str, str]]:
    """scheming ``choices_helper``: the 18 current regions."""
    return [{"value": r.code, "label": f"{r.name} ({r.code})"} for r in regions.current_regions()]


def ocsregistry_merged_region_choices(field: Optional[dict] = None) -> list[dict[str, str]]:
    """scheming ``choices_helper``: the pre-2016 regions merged in 2016."""
    return [
        {"value": r.code, "label": f"{r.name} ({r.code}, {regions.name(r.current_code)})"}
        for r in regions.merged_regions()
    ]


def ocsregistry_label(labels: Any) -> str:
    """A {fr: ..., en: ...} label in the user's language, French by default."""
    return record.label(labels)


def ocsregistry_form_sections(fields: list[dict]) -> list[dict[str, Any]]:
    """Group schema fields into the sections of the committee's field card."""
    sections: list[dict[str, Any]] = []
    for field in fields:
        if field.get("ocsregistry_section") or not sections:
            sections.append({"label": field.get("ocsregistry_section") or "", "fields": []})
        sections[-1]["fields"].append(field)
    return sections


def ocsregistry_can_see_restricted(pkg_dict: dict[str, Any]) -> bool:
    user = tk.current_user.name if tk.current_user and tk.current_user.is_authenticated else None
    return restricted.can_see(pkg_dict, user)


def ocsregistry_review_due(pkg_dict: dict[str, Any], today: Optional[datetime.date] = None) -> bool:
    """True when the record has not been re-read within its review frequency."""
    try:
        updated = datetime.date.fromisoformat(str(pkg_dict.get("info_updated") or "")[:10])
        months = int(pkg_dict.get("review_frequency_months") or 12)
    except ValueError:
        return bool(pkg_dict.get("id"))
    today = today or datetime.date.today()
    elapsed = (today.year - updated.year) * 12 + today.month - updated.month
    return elapsed > months or (elapsed == months and today.day > updated.day)


def ocsregistry_json_script(data: Any) -> Markup:
    """JSON safe to put inside <script type="application/json">: no tag can close it."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)


def ocsregistry_field_choices(field_name: str) -> list[dict[str, str]]:
    """A registry field's choices, labelled in the user's language."""
    field = record.schema_field(field_name)
    return [{"value": c["value"], "label": ocsregistry_label(c["label"])}
            for c in field.get("choices") or []]


def ocsregistry_request_query(**extra: Any) -> str:
    """The registry filters of the current request, as a query string."""
    from ckan.common import request
    from ckanext.ocsregistry.search import query

    filters = query.filters_from_args(request.args)
    filters.update({k: [v] if k in query.FILTER_FIELDS else v for k, v in extra.items()})
    return query.query_string(filters)


def ocsregistry_harvest_info(pkg_dict: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Harvest source and last harvest of a harvested record (``None`` for local ones,
    and for every record when the ``ocsregistry_harvester`` plugin is not loaded)."""
    if not p.plugin_loaded("ocsregistry_harvester"):
        return None
    # Imported here: it needs ckanext-harvest, which the registry alone does not.
    from ckanext.ocsregistry.harvesters import harvest_status

    return harvest_status.harvest_info((pkg_dict or {}).get("id") or "")


def ocsregistry_history_rows(activity_diff: dict[str, Any]) -> list[dict[str, str]]:
    """The changes of one activity diff (``activity_diff`` action) as labelled
    rows ``{field, label, old, new}`` in the page's language, as the public
    sees them (see ``history``)."""
    activities = (activity_diff or {}).get("activities") or []
    if len(activities) != 2:
        return []
    old, new = ((a.get("data") or {}).get("package") or {} for a in activities)
    return history.changes(old, new)


# --- the record form -----------------------------------------------------------

def ocsregistry_former_region_options() -> list[dict[str, str]]:
    """The pre-2016 regions merged in 2016, each with the current region it belongs to
    (the form shows only the chosen region's former regions)."""
    return [{"value": r.code, "label": r.name, "current": r.current_code,
             "current_name": regions.name(r.current_code)}
            for r in regions.merged_regions()]


def ocsregistry_org_regions(organizations: list[dict[str, Any]]) -> dict[str, list[str]]:
    """{organisation id: regions it covers} for the organisations offered on the form."""
    import ckan.model as model

    ids = [o["id"] for o in organizations or [] if o.get("id")]
    if not ids:
        return {}
    rows = (model.Session.query(model.GroupExtra.group_id, model.GroupExtra.value)
            .filter(model.GroupExtra.group_id.in_(ids))
            .filter(model.GroupExtra.key == "regions_covered")
            .filter(model.GroupExtra.state == "active"))
    return {group_id: regions.covered_regions(value) for group_id, value in rows}


def ocsregistry_form_default_region(data: dict[str, Any],
                                    org_regions: dict[str, list[str]]) -> Optional[str]:
    """The region to pre-select on a new record: the one region of the editor's
    CRIGE, when the chosen (or only) organisation covers exactly one region."""
    if data.get("region_code") or data.get("id"):
        return None
    owner = data.get("owner_org")
    if owner and owner in org_regions:
        covered = org_regions[owner]
    elif len(org_regions) == 1:
        covered = next(iter(org_regions.values()))
    else:
        return None
    return covered[0] if len(covered) == 1 else None


_RECORD_WORDING = {
    "breadcrumb": lambda: tk._("OCS registry"),
    "create label": lambda: tk._("New registry record"),
    "create title": lambda: tk._("New registry record"),
    "edit label": lambda: tk._("Edit the record"),
    "update label": lambda: tk._("Save the changes"),
    "delete confirmation": lambda: tk._("Are you sure you want to delete this record?"),
}


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str,
                         purpose: str) -> Optional[str]:
    """Registry wording on the record form and its breadcrumb, instead of
    CKAN's "Create Ocs" made from the type's name."""
    if entity_type == "package" and object_type == record.DATASET_TYPE and purpose in _RECORD_WORDING:
        return _RECORD_WORDING[purpose]()
    return next_helper(entity_type, object_type, purpose)
