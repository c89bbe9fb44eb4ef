"""Pages of the review cycle: a CRIGE's records by due date, and the
"re-read" button of a record page.

Thin views: the list comes from ``ocsregistry_review_list``, the mark from
``ocsregistry_record_reread`` (both check access).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.common import request

from ckanext.ocsregistry import record

__all__ = ["ocsregistry_review"]

ocsregistry_review = Blueprint("ocsregistry_review", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def crige_review(id: str):
    """``/organization/<id>/review``: public, like the due dates it lists."""
    context = _context()
    try:
        group_dict = tk.get_action("organization_show")(dict(context), {
            "id": id, "include_datasets": False, "include_users": False})
        data = tk.get_action("ocsregistry_review_list")(dict(context), {
            "id": group_dict["id"], "due_only": request.args.get("due_only")})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    except tk.ValidationError as e:
        return tk.abort(400, "; ".join(f"{k}: {' '.join(map(str, v))}"
                                       for k, v in e.error_dict.items()))
    return tk.render("organization/review.html", {
        "group_dict": group_dict, "group_type": group_dict.get("type") or "organization",
        "data": data, "due_only": bool(request.args.get("due_only"))})


def reread(id: str):
    """POST (with the CSRF token) from the record page's "re-read" button."""
    try:
        pkg = tk.get_action("ocsregistry_record_reread")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or tk._("Unauthorized to update dataset"))
    except tk.ValidationError as e:
        tk.h.flash_error("; ".join(f"{k}: {' '.join(map(str, v))}"
                                   for k, v in e.error_dict.items()))
        return tk.redirect_to(f"{record.DATASET_TYPE}.read", id=id)
    tk.h.flash_success(tk._("Marked as re-read: the information date is now today."))
    return tk.redirect_to(f"{record.DATASET_TYPE}.read", id=pkg["name"])


ocsregistry_review.add_url_rule("/organization/<id>/review", view_func=crige_review,
                                endpoint="crige_review")
ocsregistry_review.add_url_rule(f"/{record.DATASET_TYPE}/<id>/reread", view_func=reread,
                                endpoint="reread", methods=["POST"])
