"""Template helpers of the OCS registry."""
from __future__ import annotations

import datetime
import json
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.ocsregistry import history, licences, record, regions, restricted, review

__all__ = [
    "ocsregistry_current_region_choices",
    "ocsregistry_merged_region_choices",
    "ocsregistry_form_sections",
    "ocsregistry_can_see_restricted",
    "ocsregistry_review_due",
    "ocsregistry_review_status",
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
    "ocsregistry_region_name",
    "ocsregistry_latest_vintage",
    "ocsregistry_choice_label",
    "ocsregistry_region_minimap",
    "ocsregistry_region_names",
    "ocsregistry_license_choices",
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
    """True when the record is due for review (review.py holds the rule)."""
    return review.is_due(pkg_dict, today)


def ocsregistry_review_status(pkg_dict: dict[str, Any]) -> Optional[dict[str, Any]]:
    """``{due_date, is_due, days}`` of a record, None for one being filled in."""
    return review.status(pkg_dict)


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
            for c in record.choices(field)]


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
    from ckanext.ocsregistry import crige

    ids = [o.get("id") for o in organizations or []]
    return {org.id: org.regions for org in crige.regions_covered(ids)}


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


# --- public pages: the record type's name, search results, record sidebar -------

# The record type's name for each of CKAN's ``humanize_entity_type`` purposes
# (French in the extension's catalogue). Purposes not listed get the type name.
_OCS_TYPE_TEXTS = {
    "add link": lambda: tk._("Add an OCS record"),
    "add association link": lambda: tk._("Add to an OCS record"),
    "breadcrumb": lambda: tk._("OCS records"),
    "content tab": lambda: tk._("OCS records"),
    # the form's own words (its title and the button that opens it)
    "create label": lambda: tk._("New registry record"),
    "create title": lambda: tk._("New registry record"),
    "delete confirmation": lambda: tk._("Are you sure you want to delete this OCS record?"),
    "description placeholder": lambda: tk._("A few words about this OCS record..."),
    "edit label": lambda: tk._("Edit the OCS record"),
    "facet label": lambda: tk._("OCS records"),
    "form label": lambda: tk._("OCS record form"),
    "main nav": lambda: tk._("OCS records"),
    "my label": lambda: tk._("My OCS records"),
    "view label": lambda: tk._("View the OCS record"),
    "name placeholder": lambda: tk._("My OCS record"),
    "no any objects": lambda: tk._("There are no OCS records on this site yet"),
    "no description": lambda: tk._("This OCS record has no description"),
    "no label": lambda: tk._("No OCS record"),
    "page title": lambda: tk._("OCS records"),
    "save label": lambda: tk._("Save the OCS record"),
    "search placeholder": lambda: tk._("Search OCS records..."),
    "update label": lambda: tk._("Update the OCS record"),
    "activity_record": lambda: tk._("OCS record"),
}


@tk.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str,
                         purpose: str) -> Optional[str]:
    """CKAN's names of a dataset type ("Add Ocs", "Ocss"), for the registry
    record: "fiche OCS" in French, "OCS record" in English."""
    if object_type == record.DATASET_TYPE and entity_type == "package":
        text = _OCS_TYPE_TEXTS.get(purpose)
        if text:
            return text()
        name = tk._("OCS record")  # "fiche OCS": lower case in a sentence
        return name[:1].upper() + name[1:]
    return next_helper(entity_type, object_type, purpose)


def ocsregistry_region_name(code: Any) -> str:
    return regions.name(str(code or ""))


def ocsregistry_latest_vintage(pkg_dict: dict[str, Any]) -> Optional[int]:
    """The latest year whose vintage is available (from the record's own dict)."""
    years = []
    for vintage in (pkg_dict or {}).get("vintages") or []:
        if isinstance(vintage, dict) and vintage.get("status") == "available":
            try:
                years.append(int(vintage.get("year")))
            except (TypeError, ValueError):
                continue
    return max(years) if years else None


def ocsregistry_choice_label(field_name: str, value: Any) -> str:
    """The label of a registry field's choice in the page's language."""
    return record.choice_label(record.schema_field(field_name), value)


_MINIMAP_SIZE = 160.0


def ocsregistry_region_minimap(code: Any) -> Markup:
    """A small static map of a record's region: an inline SVG drawn on the
    server from the region outlines (mainland France for a mainland region,
    the region alone overseas), no tiles and no request."""
    import math

    code = str(code or "")
    from ckanext.ocsregistry.graphics import outlines as region_outlines

    outlines = region_outlines.rings(regions.CURRENT)
    if code not in outlines:
        return Markup("")
    shown = [code] if code in regions.OVERSEAS else [c for c in outlines if c not in regions.OVERSEAS]
    points = [pt for c in shown for ring in outlines[c] for pt in ring]
    lats = [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs = [p[0] * kx for p in points]
    min_x, max_y = min(xs), max(lats)
    scale = _MINIMAP_SIZE / max(max(xs) - min_x, max_y - min(lats))
    width = (max(xs) - min_x) * scale
    height = (max_y - min(lats)) * scale

    def path(rings: list[list[list[float]]]) -> str:
        parts = []
        for ring in rings:
            parts.append("M" + "L".join(f"{(x * kx - min_x) * scale:.1f},{(max_y - y) * scale:.1f}"
                                        for x, y in ring[::2] + [ring[-1]]) + "Z")
        return "".join(parts)

    name = regions.name(code)
    body = "".join(
        f'<path d="{path(outlines[c])}" class="{"ocsregistry-minimap-region" if c == code else "ocsregistry-minimap-other"}"/>'
        for c in sorted(shown, key=lambda c: c == code))
    title = Markup.escape(tk._("Location of {region}").format(region=name))
    return Markup(
        f'<svg class="ocsregistry-minimap" role="img" viewBox="-2 -2 {width + 4:.0f} {height + 4:.0f}" '
        f'width="{width + 4:.0f}" height="{height + 4:.0f}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{title}</title>{body}</svg>")


def ocsregistry_region_names(codes: Any) -> str:
    """An organisation's "regions covered", as names: "Grand Est, Occitanie"."""
    return ", ".join(regions.name(c) for c in regions.covered_regions(codes) if regions.get(c))


def ocsregistry_license_choices(field: Optional[dict] = None) -> list[dict[str, Any]]:
    """scheming ``choices_helper`` of ``license_id``: CKAN's licence register
    (the extension's list unless the site sets ``licenses_group_url``)."""
    return licences.choices(field)
