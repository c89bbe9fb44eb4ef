"""Pages beside the map: the vintage timeline, the comparison and the feed of changes.

Thin views (registered on the ``ocsregistry`` blueprint by ``views.py``): the
data comes from side-effect-free actions (``ocsregistry_timeline``,
``ocsregistry_compare``, ``ocsregistry_changes``) that check access. Each page
reads without JavaScript, in French and English, and offers CSV (and, for the
timeline, SVG and PNG pictures) of what it shows.
"""
from __future__ import annotations

from typing import Any

from flask import Response
from dateutil.parser import isoparse

import ckan.plugins.toolkit as tk
from ckan.common import request

from ckanext.ocsregistry import compare, record, timeline
from ckanext.ocsregistry.graphics import raster
from ckanext.ocsregistry.graphics.timeline_svg import size as timeline_size, timeline_svg
from ckanext.ocsregistry.search import query
from ckanext.ocsregistry.table import export

__all__ = ["timeline_page", "compare_page", "changes_feed"]

TIMELINE_TITLE = {"fr": "Frise des millésimes des bases OCS régionales",
                  "en": "Vintage timeline of regional land-cover bases"}
MAX_PNG_HEIGHT, MIN_PNG_WIDTH = 32000, 800  # pixels
MAX_PNG_LINES = 400  # regions and bases (the 2026 registry: about 70)
COMPARE_TITLE = {"fr": "Comparer des bases OCS régionales",
                 "en": "Compare regional land-cover bases"}
NO_RECORD = {"fr": "aucune fiche", "en": "no record"}
FEED_TITLE = {"fr": "Registre OCS : derniers changements",
              "en": "OCS registry: recent changes"}
FEED_DESCRIPTION = {"fr": "Fiches OCS régionales créées, modifiées ou supprimées",
                    "en": "Regional land-cover records created, updated or deleted"}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _embedded() -> bool:
    return request.args.get("embed") in ("1", "true", "yes")


def _messages(error_dict: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {' '.join(str(m) for m in (v if isinstance(v, list) else [v]))}"
                     for k, v in error_dict.items())


def _download(body: Any, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _render(extra_vars: dict[str, Any]) -> str:
    """The page, or its variant for an iframe (``?embed=1``)."""
    template = "ocsregistry/embed.html" if extra_vars["embed"] else "ocsregistry/overview_page.html"
    return tk.render(template, extra_vars)


def _embed_url(endpoint: str, page_query: str) -> str:
    return (tk.h.url_for(endpoint, qualified=True) + "?"
            + (page_query + "&" if page_query else "") + "embed=1")


# --------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------

def timeline_page(fmt: str = "html"):
    from ckanext.ocsregistry.views import _filter_errors, _organizations

    lang = record.current_language()
    data_dict = query.filters_from_args(request.args, allowed=("era",))
    errors: dict[str, Any] = {}
    try:
        data = tk.get_action("ocsregistry_timeline")(_context(), data_dict)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry"))
    except tk.ValidationError as e:
        if fmt != "html":
            return tk.abort(400, _messages(e.error_dict))
        # As the map: the whole registry, with the bad filters explained.
        errors = e.error_dict
        data_dict = {"era": data_dict.get("era")} if "era" not in errors else {}
        data = tk.get_action("ocsregistry_timeline")(_context(), data_dict)
    stem = "frise-millesimes" if lang == "fr" else "vintage-timeline"
    if fmt == "csv":
        return _download(export.csv_table(timeline.csv_rows(data, lang), lang), "text/csv",
                         f"{stem}.csv")
    if fmt in ("svg", "png"):
        svg = timeline_svg(data, record.label(TIMELINE_TITLE), record.label(NO_RECORD))
        if fmt == "svg":
            return _download(svg, raster.SVG_MEDIA_TYPE, f"{stem}.svg")
        # Cairo draws at most 32,767 pixels high: a long timeline is drawn narrower,
        # and one that would be unreadably narrow is refused, naming the way out.
        width, height = timeline_size(data)
        png_width = min(raster.DEFAULT_WIDTH, int(width * MAX_PNG_HEIGHT / height))
        lines = sum(1 + len(r["bases"]) for r in data["regions"])
        # and rasterising takes about 10 ms a line: a picture for slides stays short
        if png_width < MIN_PNG_WIDTH or lines > MAX_PNG_LINES:
            return tk.abort(400, tk._(
                "Too many bases for a picture: narrow the selection with the filters (region, "
                "CRIGE, characteristic, vintages), or download the SVG or the CSV"))
        return _download(raster.svg_to_png(svg, width=png_width), raster.PNG_MEDIA_TYPE,
                         f"{stem}.png")
    filters = {k: v for k, v in data_dict.items() if k != "era"}
    page_query = query.query_string(filters, era=data["era"])
    embed = _embedded()
    extra_vars = {
        "data": data,
        "filters": filters,
        "errors": _filter_errors(errors),
        "embed": embed,
        "embed_url": _embed_url("ocsregistry.timeline", page_query),
        "organizations": _organizations(),
        "page_query": page_query,
        "title": record.label(TIMELINE_TITLE),
        "breadcrumb": record.label({"fr": "Frise des millésimes", "en": "Vintage timeline"}),
        "endpoint": "ocsregistry.timeline",
        "body_template": "ocsregistry/snippets/timeline_body.html",
    }
    response = Response(_render(extra_vars))
    return response, (400 if errors else 200)


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def compare_page(fmt: str = "html"):
    lang = record.current_language()
    asked = [v for v in request.args.getlist("records") if v.strip()]
    action = tk.get_action("ocsregistry_compare")
    errors: dict[str, Any] = {}
    try:
        data = action(_context(), {"records": asked, "lang": lang})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry"))
    except tk.ValidationError as e:
        if fmt != "html":
            return tk.abort(400, _messages(e.error_dict))
        errors = e.error_dict
        data = action(_context(), {"lang": lang})  # the form again, to choose anew
    if fmt == "csv":
        if not data["records"]:
            return tk.abort(400, "records: " + tk._("Choose from {0} to {1} different records ({2} given)")
                            .format(compare.MIN_RECORDS, compare.MAX_RECORDS, 0))
        return _download(export.csv_table(compare.csv_rows(data, lang), lang), "text/csv",
                         ("comparaison" if lang == "fr" else "comparison") + ".csv")
    names = [r["name"] for r in data["records"]]
    page_query = "records=" + ",".join(names) if names else ""
    selected = names or compare.parse_names(asked)  # kept checked after an error, to correct
    extra_vars = {
        "data": data,
        "errors": [{"field": k, "messages": [str(m) for m in (v if isinstance(v, list) else [v])]}
                   for k, v in errors.items()],
        "embed": _embedded(),
        "page_query": page_query,
        "share_url": tk.h.url_for("ocsregistry.compare", qualified=True)
        + ("?" + page_query if page_query else ""),
        "embed_url": _embed_url("ocsregistry.compare", page_query),
        "selected": selected,
        "max_records": compare.MAX_RECORDS,
        "title": record.label(COMPARE_TITLE),
        "breadcrumb": record.label({"fr": "Comparaison", "en": "Comparison"}),
        "endpoint": "ocsregistry.compare",
        "body_template": "ocsregistry/snippets/compare_body.html",
    }
    response = Response(_render(extra_vars))
    return response, (400 if errors else 200)


# --------------------------------------------------------------------------
# Feed of changes (Atom, with CKAN's own feed writer)
# --------------------------------------------------------------------------

def changes_feed():
    from ckan.views.feed import CKANFeed, _create_atom_id

    lang = record.current_language()
    data_dict: dict[str, Any] = {"lang": lang}
    if "limit" in request.args:
        data_dict["limit"] = request.args.get("limit")
    try:
        entries = tk.get_action("ocsregistry_changes")(_context(), data_dict)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see the registry"))
    except tk.ValidationError as e:
        return tk.abort(400, _messages(e.error_dict))
    author = (tk.config.get("ckan.feeds.author_name") or "").strip() or \
        tk.config.get("ckan.site_title") or tk.config.get("ckan.site_id")
    feed = CKANFeed(
        record.label(FEED_TITLE), tk.h.url_for("ocs.search", qualified=True),
        record.label(FEED_DESCRIPTION), language=lang, author_name=author,
        feed_guid=_create_atom_id("/ocsregistry/changes"), feed_url=request.url,
        previous_page=None, next_page=None, first_page=None, last_page=None)
    # feedgen puts each new entry first: added oldest first, the feed reads newest first
    for entry in reversed(entries):
        when = isoparse(entry["timestamp"])
        feed.add_item(
            title=f"{entry['kind_label']} : {entry['title']}" if lang == "fr"
            else f"{entry['kind_label']}: {entry['title']}",
            link=entry["url"], unique_id=_create_atom_id(f"/ocsregistry/activity/{entry['id']}"),
            updated=when, published=when, summary=entry["summary"],
            author_name=entry["organization"] or author, categories=[entry["kind"]])
    return Response(feed.writeString("utf-8"), mimetype="application/atom+xml")
