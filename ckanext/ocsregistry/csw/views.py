"""``/ocsregistry/iso19139/<name>.xml`` (one record's ISO 19139) and ``/csw``."""
from __future__ import annotations

from flask import Blueprint, Response

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
