"""Pages of the registry: its home, the national map (page, SVG, PNG), the
per-region CSV and the CSV / Excel export.

Views stay thin: the data comes from actions (``ocsregistry_indicators``,
``ocsregistry_region_summary``, ``ocsregistry_map_data``, ``package_search``
through ``table.export``), which check access.
"""
from __future__ import annotations

import datetime
import json
from typing import Any, Callable

from flask import Blueprint, Response, current_app, stream_with_context

import ckan.plugins.toolkit as tk
from ckan.common import request

from markupsafe import Markup

from ckanext.ocsregistry import indicators, overview_views, record, regions
from ckanext.ocsregistry.graphics import map_svg, outlines, raster
from ckanext.ocsregistry.search import fields, query
from ckanext.ocsregistry.table import export
from ckanext.ocsregistry.logic import schema as ocs_schema
from ckanext.ocsregistry.logic.action import validate_filters
from ckanext.ocsregistry.logic.shape import contains_nul
from ckanext.ocsregistry.review_views import ocsregistry_review
from ckanext.ocsregistry.csw.views import ocsregistry_csw

# (the review cycle's pages live in review_views.py, ISO 19139 and CSW in csw/views.py;
# blanket registration reads this list)
__all__ = ["ocsregistry", "ocsregistry_review", "ocsregistry_csw", "ocsregistry_site_home"]

ocsregistry = Blueprint("ocsregistry", __name__, url_prefix="/ocsregistry")
# "/" itself: plugins' blueprints are registered before CKAN's, so this rule
# answers the site's home; it hands over to CKAN's own unless the option says so.
ocsregistry_site_home = Blueprint("ocsregistry_site_home", __name__)
HOME_OPTION = "ckanext.ocsregistry.home_as_site_home"

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
    "vocab_ocsregistry_trait": (None, {"fr": "Couverture", "en": "Coverage"}),
    "ext_latest_vintage_from": (None, {"fr": "Dernier millésime disponible à partir de",
                                       "en": "Latest available vintage from"}),
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


def _embed_flag() -> bool:
    """``?embed=1``: the page without the site's header and footer, for an iframe."""
    value = request.args.get("embed", "").strip().lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no"):
        tk.abort(400, "embed: " + tk._("Must be 1 (embedded page) or 0"))
    return value in ("1", "true", "yes")


def _bad_request(error: tk.ValidationError) -> Response:
    """400, naming each refused parameter."""
    return tk.abort(400, "; ".join(
        f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
        for k, v in error.error_dict.items()))


def _map_texts(era: str) -> dict[str, str]:
    """The words of the map as a picture, in the page's language."""
    L = record.label
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    return {
        "title": L({"fr": "Bases régionales d'occupation du sol par région",
                    "en": "Regional land-cover bases by region"})
        + (L({"fr": " (régions avant 2016)", "en": " (pre-2016 regions)"}) if era != "2016" else ""),
        "partial": L({"fr": "Hachures : la base la plus précise ne couvre qu'une partie de la région",
                      "en": "Hatching: the most specific base covers only part of the region"}),
        "regions_count": L({"fr": "{n} région(s)", "en": "{n} region(s)"}),
        "source": L({"fr": "Source : registre des OCS régionales, {site}, {date}",
                     "en": "Source: registry of regional land-cover bases, {site}, {date}"}).format(
            site=site, date=datetime.date.today().isoformat()),
    }


def _region_search_link(filters: dict[str, Any]) -> Callable[[str], str]:
    """A region code's catalogue search (with the page's filters)."""
    base = tk.h.url_for("ocs.search", qualified=True)

    def link(code: str) -> str:
        return base + "?" + query.query_string(dict(filters, **{fields.FACET_REGION: code}))
    return link


def map_svg_markup(data: dict[str, Any], filters: dict[str, Any]) -> Markup:
    """The map as an inline SVG (each region a link to its records)."""
    svg = map_svg.render(data, _map_texts(data["era"]), link=_region_search_link(filters))
    return Markup(map_svg.to_string(svg, declaration=False))


def home(embed: bool | None = None):
    embed = _embed_flag() if embed is None else embed
    try:
        data = tk.get_action("ocsregistry_indicators")(_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry"))
    search = tk.h.url_for("ocs.search")
    for indicator in data["indicators"]:
        qs = query.query_string(indicator["filters"])
        indicator["url"] = (search + "?" + qs) if qs else tk.h.url_for("ocsregistry.map")
    summary_data = data["summary"]
    lang = record.current_language()
    extra_vars = {
        "indicators": data["indicators"],
        "as_of": data["as_of"],
        "summary": summary_data,
        "map_svg": map_svg_markup(summary_data, {}),
        "region_link": _region_search_link({}),
        "embed": embed,
        "embed_url": tk.h.url_for("ocsregistry.home", qualified=True) + "?embed=1",
        "csv_url": tk.h.url_for("ocsregistry.regions_csv") + "?lang=" + lang,
        "export_query": "lang=" + lang,
    }
    template = "ocsregistry/home_embed.html" if embed else "ocsregistry/home.html"
    return tk.render(template, extra_vars)


def _asks_rdf() -> bool:
    """An RDF client at "/" while ckanext-dcat's content negotiation is on."""
    if not tk.asbool(tk.config.get("ckanext.dcat.enable_content_negotiation")):
        return False
    try:
        from ckanext.dcat.utils import check_access_header
    except ImportError:
        return False
    return bool(check_access_header())


def _other_home():
    """The view "/" reaches without this rule: ckanext-dcat's content
    negotiation when it is on (it answers RDF clients and hands the others to
    CKAN's home), else CKAN's home. Rules are tried in the order Flask would."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/" and rule.endpoint != "ocsregistry_site_home.index" \
                and "GET" in (rule.methods or ()):
            return current_app.view_functions[rule.endpoint](**(rule.defaults or {}))
    from ckan.views.home import index
    return index()


def site_home():
    if tk.asbool(tk.config.get(HOME_OPTION)) and not _asks_rdf():
        return home()
    return _other_home()


def _summary_from_args(allowed: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """(filters, region summary) of the request's query string; 400 naming a bad one."""
    data_dict = query.filters_from_args(request.args, allowed=("era", *allowed))
    extra = {k: data_dict.pop(k) for k in allowed if k in data_dict}
    try:
        data = tk.get_action("ocsregistry_region_summary")(_context(), data_dict)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry map"))
    except tk.ValidationError as e:
        return _bad_request(e)
    return dict(data_dict, **extra), data


def regions_csv():
    filters, data = _summary_from_args(allowed=("lang",))
    lang = filters.get("lang") or record.current_language()
    if lang not in record.LANGUAGES:
        return tk.abort(400, "lang: " + tk._("Must be one of: {0}").format("fr, en"))
    name = f"ocs-regions-{data['era']}-{lang}.csv"
    return Response(indicators.csv_text(data, lang), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def map_image(fmt: str):
    filters, data = _summary_from_args(allowed=("width",))
    filters.pop("era", None)
    width = filters.pop("width", None)
    svg = map_svg.to_string(map_svg.render(data, _map_texts(data["era"]),
                                           link=_region_search_link(filters)))
    filename = f"ocs-map-{data['era']}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "svg":
        return Response(svg, mimetype="image/svg+xml", headers=headers)
    try:
        pixels = int(width) if width else raster.DEFAULT_WIDTH
    except ValueError:
        pixels = 0
    if not 200 <= pixels <= 4000:
        return tk.abort(400, "width: " + tk._("Must be a whole number of pixels from 200 to 4000"))
    return Response(raster.svg_to_png(svg, width=pixels), mimetype=raster.PNG_MEDIA_TYPE,
                    headers=headers)


# Up to this many matching records, the map page lists each region's bases;
# beyond, it counts them by characteristic and links to the search (the page
# stays small whatever the registry's size).
MAP_LISTED_RECORDS = 300


def _map_script_data(data: dict[str, Any]) -> dict[str, Any]:
    """What the map's script needs, and nothing the table already holds:
    each region's colours, its record count and where its name goes."""
    points = outlines.label_points(data["era"])
    keys = ("code", "name", "status", "status_label", "color", "coverage", "fill_under",
            "record_count")
    return {"era": data["era"], "regions": [
        dict({k: r[k] for k in keys},
             label=[round(points[r["code"]][1], 3), round(points[r["code"]][0], 3)]
             if r["code"] in points else None)
        for r in data["regions"]]}


def map_page():
    embed = request.args.get("embed") in ("1", "true", "yes")
    data_dict = query.filters_from_args(request.args, allowed=("era",))
    errors: dict[str, Any] = {}
    summarise = tk.get_action("ocsregistry_region_summary")
    try:
        data = summarise(_context(), data_dict)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry map"))
    except tk.ValidationError as e:
        # Show the whole registry, with the bad filters explained.
        errors = e.error_dict
        data_dict = {"era": data_dict.get("era")} if "era" not in errors else {}
        data = summarise(_context(), data_dict)
    if data["count"] <= MAP_LISTED_RECORDS:
        # few enough to list each region's bases in the table (the panel shows that list)
        listed = tk.get_action("ocsregistry_map_data")(_context(), data_dict)
        bases = {r["code"]: r["bases"] for r in listed["regions"]}
        data = dict(data, regions=[dict(r, bases=bases.get(r["code"], [])) for r in data["regions"]])
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
        # pictures speak the page's language through its address (/en/...)
        "image_query": query.query_string(filters, era=data["era"]),
        "csv_query": query.query_string(filters, era=data["era"], lang=record.current_language()),
        "region_link": _region_search_link(filters),
        "script_data": _map_script_data(data),
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


ocsregistry.add_url_rule("/", view_func=home, endpoint="home")
ocsregistry.add_url_rule("/regions.csv", view_func=regions_csv, endpoint="regions_csv")
ocsregistry.add_url_rule("/map.svg", view_func=map_image, endpoint="map_svg", defaults={"fmt": "svg"})
ocsregistry.add_url_rule("/map.png", view_func=map_image, endpoint="map_png", defaults={"fmt": "png"})
ocsregistry.add_url_rule("/map", view_func=map_page, endpoint="map")
ocsregistry_site_home.add_url_rule("/", view_func=site_home, endpoint="index")
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
