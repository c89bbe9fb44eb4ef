"""``/ocsregistry/iso19139/<name>.xml`` (one record's ISO 19139) and ``/csw``."""
from __future__ import annotations

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

__all__ = ["ocsregistry_csw"]

ocsregistry_csw = Blueprint("ocsregistry_csw", __name__)

XML = "application/xml; charset=utf-8"


def _context() -> dict:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


@ocsregistry_csw.route("/ocsregistry/iso19139/<name>.xml")
def iso19139(name: str) -> Response:
    try:
        text = tk.get_action("ocsregistry_iso19139_show")(_context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    return Response(text.encode("utf-8"), mimetype="application/xml",
                    headers={"Content-Type": XML, "X-Content-Type-Options": "nosniff"})


@ocsregistry_csw.route("/csw", methods=["GET", "POST"])
def csw() -> Response:
    """The CSW 2.0.2 endpoint (pycsw; ``server.handle``)."""
    # Imported here: pycsw is loaded by the first CSW request, not by every page.
    from ckanext.ocsregistry.csw import repository, server

    if not repository.enabled():
        return tk.abort(404)
    url = tk.config.get("ckan.site_url", "").rstrip("/") + "/csw"
    status, headers, body = server.handle(request.environ, url)
    return Response(body, status=status, headers=headers)
