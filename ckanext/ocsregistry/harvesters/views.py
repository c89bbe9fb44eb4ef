"""ckanext-harvest's state-changing routes answer POST only (``ocsregistry_harvester`` plugin).

ckanext-harvest accepts GET on its delete, refresh, clear and job abort routes.
CSRF tokens are only checked on POST, so a link or an image on any page could
deactivate a source, start or stop a job, or clear a source's records with a
logged-in administrator's session. GET and HEAD on those endpoints are refused
with 405, and the job abort (GET only upstream) gets a POST route on the same
path; the harvest admin page posts it (``templates/source/admin_base.html`` of
the ``ocsregistry`` plugin).

Registered by the ``ocsregistry_harvester`` plugin (``toolkit.blanket``).
"""
from __future__ import annotations

from ckanext.harvest import utils
from flask import Blueprint, request
from werkzeug.exceptions import MethodNotAllowed

__all__ = ["ocsregistry_harvester"]

ocsregistry_harvester = Blueprint("ocsregistry_harvester", __name__)

# Endpoints of ckanext-harvest's ``harvester`` blueprint whose views change state.
OCSREGISTRY_POST_ONLY_ENDPOINTS = frozenset({
    "harvester.delete", "harvester.refresh", "harvester.clear", "harvester.job_abort",
})


@ocsregistry_harvester.before_app_request
def _refuse_state_change_on_get() -> None:
    """405 before ckanext-harvest's view runs: reading a URL must not change anything."""
    if request.method in ("GET", "HEAD") and request.endpoint in OCSREGISTRY_POST_ONLY_ENDPOINTS:
        raise MethodNotAllowed(valid_methods=["POST"])


def job_abort(source: str, id: str):
    return utils.job_abort_view(source, id)


def delete(id: str):
    # ckanext-harvest's own delete view (which also clears the source's records
    # when asked, "?clear=True") answered GET only; CKAN's generic dataset delete,
    # which a POST reached, ignores "clear".
    return utils.delete_view(id)


# The same path as ckanext-harvest's GET-only rule: werkzeug passes over a rule
# that does not accept the method, so a POST reaches this one.
ocsregistry_harvester.add_url_rule(
    f"/{utils.DATASET_TYPE_NAME}/<source>/job/<id>/abort", view_func=job_abort,
    endpoint="job_abort", methods=["POST"])
ocsregistry_harvester.add_url_rule(
    f"/{utils.DATASET_TYPE_NAME}/delete/<id>", view_func=delete, endpoint="delete",
    methods=["POST"])
