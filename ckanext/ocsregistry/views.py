"""Pages of the registry: the national map and the CSV / Excel export.

Views stay thin: the data comes from actions (``ocsregistry_map_data``,
``package_search`` through ``table.export``), which check access.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, stream_with_context

import ckan.plugins.toolkit as tk
from ckan.common import request

from ckanext.ocsregistry import overview_views, record, regions
from ckanext.ocsregistry.search import query
from ckanext.ocsregistry.table import export
from ckanext.ocsregistry.logic import schema as ocs_schema
from ckanext.ocsregistry.logic.action import validate_filters
from ckanext.ocsregistry.logic.shape import contains_nul
from ckanext.ocsregistry.review_views import ocsregistry_review
from ckanext.ocsregistry.csw.views import ocsregistry_csw

# (the review cycle's pages live in review_views.py, ISO 19139 and CSW in csw/views.py;
# blanket registration reads this list)
__all__ = ["ocsregistry", "ocsregistry_review", "ocsregistry_csw"]

ocsregistry = Blueprint("ocsregistry", __name__, url_prefix="/ocsregistry")

def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _organizations() -> list[dict[str, str]]:
    return [{"value": o["name"], "label": o["title"]}
            for o in tk.get_action("ocsregistry_crige_list")(_context(), {})]


# The map's filters as its form names them, for errors in the user's words.
MAP_FILTER_LABELS = {
    "era": ("f-era", {"fr": "Régions", "en": "Regions"}),
    "q": ("f-q", {"fr": "Recherche", "en": "Search"}),
    "vocab_ocsregistry_characteristic": ("f-characteristic", {"fr": "Caractéristique de l'OCS",
                                                              "en": "OCS characteristic"}),
    "ext_vintage_from": ("f-from", {"fr": "Millésime à partir de", "en": "Vintage from"}),
    "ext_vintage_to": ("f-to", {"fr": "Millésime jusqu'à", "en": "Vintage to"}),
    "vocab_ocsregistry_dimension": ("f-dimension", {"fr": "Dimension", "en": "Dimension"}),
    "organization": ("f-crige", {"fr": "CRIGE", "en": "CRIGE"}),
    "vocab_ocsregistry_region": ("f-region", {"fr": "Région", "en": "Region"}),
    "ext_bbox": ("f-bbox", {"fr": "Emprise", "en": "Extent"}),
    "ext_review_due": ("f-review", {"fr": "Seulement les fiches à relire",
                                    "en": "Only the records to review"}),
}


def _filter_errors(error_dict: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for field, messages in error_dict.items():
        target, labels = MAP_FILTER_LABELS.get(field, (None, {"fr": field, "en": field}))
        if isinstance(messages, str):
            messages = [messages]
        out.append({"field": field, "target": target, "label": record.label(labels),
                    "messages": [str(m) for m in messages]})
    return out


def map_page():
    embed = request.args.get("embed") in ("1", "true", "yes")
    data_dict = query.filters_from_args(request.args, allowed=("era",))
    errors: dict[str, Any] = {}
    try:
        data = tk.get_action("ocsregistry_map_data")(_context(), data_dict)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry map"))
    except tk.ValidationError as e:
        # Show the whole registry, with the bad filters explained.
        errors = e.error_dict
        data_dict = {"era": data_dict.get("era")} if "era" not in errors else {}
        data = tk.get_action("ocsregistry_map_data")(_context(), data_dict)
    filters = {k: v for k, v in data_dict.items() if k != "era"}
    search_query = query.query_string(filters)
    page_query = query.query_string(filters, era=data["era"])
    extra_vars = {
        "data": data,
        "filters": filters,
        "errors": _filter_errors(errors),
        "embed": embed,
        "embed_url": tk.h.url_for("ocsregistry.map", qualified=True) + "?"
        + (page_query + "&" if page_query else "") + "embed=1",
        "overseas": [r for r in data["regions"] if r["code"] in regions.OVERSEAS],
        "organizations": _organizations(),
        "search_url": tk.h.url_for("ocs.search") + ("?" + search_query if search_query else ""),
        # the export speaks the page's language
        "export_query": query.query_string(filters, lang=record.current_language()),
        "page_query": page_query,
        "tiles_url": tk.config.get("ckanext.ocsregistry.map_tiles_url"),
        "tiles_attribution": tk.config.get("ckanext.ocsregistry.map_tiles_attribution"),
    }
    template = "ocsregistry/map_embed.html" if embed else "ocsregistry/map.html"
    return tk.render(template, extra_vars)


def export_table(fmt: str):
    context = _context()
    data_dict = query.filters_from_args(request.args, allowed=("lang",))
    if not data_dict.get("lang"):
        # /en/ocsregistry/export.csv: the page's language, unless ?lang= says otherwise
        data_dict["lang"] = record.current_language()
    try:
        tk.check_access("ocsregistry_export", context, data_dict)
        filters = validate_filters(data_dict, ocs_schema.export_schema(), context)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to export the registry"))
    except tk.ValidationError as e:
        return tk.abort(400, "; ".join(f"{k}: {' '.join(v)}" for k, v in e.error_dict.items()))
    if fmt == "xlsx":
        rows = export.iter_rows(context, filters)
        body, mimetype = export.xlsx_stream(rows, filters["lang"]), export.XLSX_MIMETYPE
    else:
        body, mimetype = export.csv_stream(context, filters), "text/csv"
    filename = export.filename(fmt, filters["lang"])
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _where_nul() -> str | None:
    """The parameter of this request holding a NUL character, if any."""
    if "\x00" in request.path:
        return "URL"
    for source in (request.args, request.form):
        for key, values in source.lists():
            if contains_nul(key) or contains_nul(values):
                return key.replace("\x00", "\\0")
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        for key, value in body.items():
            if contains_nul(key) or contains_nul(value):
                return key.replace("\x00", "\\0")
    return None


@ocsregistry.before_app_request
def _refuse_nul() -> Response | None:
    """PostgreSQL stores and compares no NUL character: CKAN's reads and writes
    would answer 500 for one. Refused, naming the parameter, before any view."""
    where = _where_nul()
    if where is None:
        return None
    message = tk._("The NUL character is not allowed (in {0})").format(where)
    if request.path.startswith("/api/"):
        return Response(json.dumps({"success": False, "error": {
            "__type": "Validation Error", where: [message]}}), status=409,
            mimetype="application/json")
    return tk.abort(400, message)


@ocsregistry.after_app_request
def _no_sniffing(response: Response) -> Response:
    """Every response that is not a page says what it is, with its charset,
    and browsers must not guess otherwise (CSV, XLSX, RDF, JSON)."""
    if response.mimetype and response.mimetype != "text/html":
        response.headers["X-Content-Type-Options"] = "nosniff"
        textual = response.mimetype.startswith("text/") or response.mimetype.endswith(
            ("+xml", "json"))
        if textual and "charset" not in response.mimetype_params:
            # ckanext-dcat, among others, names none: clients then guess (ISO-8859-1)
            response.headers["Content-Type"] = f"{response.mimetype}; charset=utf-8"
    return response


ocsregistry.add_url_rule("/map", view_func=map_page, endpoint="map")
ocsregistry.add_url_rule("/export.csv", view_func=export_table, endpoint="export_csv", defaults={"fmt": "csv"})
ocsregistry.add_url_rule("/export.xlsx", view_func=export_table, endpoint="export_xlsx", defaults={"fmt": "xlsx"})
for _fmt in ("html", "csv", "svg", "png"):
    ocsregistry.add_url_rule("/timeline" + ("" if _fmt == "html" else "." + _fmt),
                             view_func=overview_views.timeline_page,
                             endpoint="timeline" + ("" if _fmt == "html" else "_" + _fmt),
                             defaults={"fmt": _fmt})
ocsregistry.add_url_rule("/compare", view_func=overview_views.compare_page, endpoint="compare",
                         defaults={"fmt": "html"})
ocsregistry.add_url_rule("/compare.csv", view_func=overview_views.compare_page,
                         endpoint="compare_csv", defaults={"fmt": "csv"})
ocsregistry.add_url_rule("/changes.atom", view_func=overview_views.changes_feed, endpoint="changes")
