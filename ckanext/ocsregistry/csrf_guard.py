"""CSRF on CKAN 2.12.0: a state-changing request of a logged-in browser needs its token.

CKAN exempts from the CSRF check the requests that are anonymous or carry an
API token. CKAN 2.11.6 exempts only that request (``exempt_this_request``);
the 2.12.0 wheel exempts the view itself (``csrf.exempt(view)`` in
``ckan_before_request``), for the life of the process. After one anonymous
visit of a record's edit form, a logged-in user's POST to it without a token
(a request forged by another site, which the user's cookie authenticates) was
accepted. Here, on 2.12.0 only, such a request is checked again, after CKAN's
own check: a request CKAN itself did not exempt must carry a valid token.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from ckan.plugins import toolkit as tk

__all__ = ["needed", "install"]


def needed() -> bool:
    """The running CKAN is the release that exempts views for good."""
    return tk.check_ckan_version(min_version="2.12.0", max_version="2.12.0")


def install(app: Any) -> None:
    """Check every request after CKAN's own check (``before_request`` hooks run
    in order: CKAN's, then Flask-WTF's, then this one)."""
    if needed() and hasattr(app, "before_request"):
        app.before_request(_check_token)


def _check_token() -> None:
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED") or not config.get("WTF_CSRF_CHECK_DEFAULT", True):
        return
    if request.method not in config.get("WTF_CSRF_METHODS", ()) or not request.endpoint:
        return
    # checked by Flask-WTF already, or exempt for this request as CKAN means
    # (anonymous, or authenticated by an API token rather than the cookie)
    if g.get("csrf_valid") or g.get("login_via_auth_header"):
        return
    csrf = current_app.extensions.get("csrf")
    if csrf is not None:
        csrf.protect()  # raises CSRFError (400) when the token is missing or wrong
