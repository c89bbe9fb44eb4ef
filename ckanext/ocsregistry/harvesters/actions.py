"""ckanext-harvest's ``harvest_source_reindex``, indexed the CKAN 2.12 way.

On CKAN 2.12, ckanext-harvest 1.6.3 (the last release) indexes a harvest
source with its *unvalidated* ``package_show`` dict as the validated one
(``with_custom_schema``), and switches the caller's context to
``validate=False``. ``package_show`` then serves that dict from the index, so
the ``harvest_source_patch`` that follows a job (or an edit) sends the raw
extras back to ``package_update`` and fails. Here the source is indexed as
CKAN 2.12 indexes any dataset (default and custom show schemas); CKAN 2.11 keeps
ckanext-harvest's own action.
"""
from __future__ import annotations

from typing import Any

from ckan import logic
from ckan.plugins import toolkit as tk

__all__ = ["harvest_source_reindex"]


@tk.chained_action
def harvest_source_reindex(original_action: Any, context: dict, data_dict: dict) -> bool:
    # no access check, as ckanext-harvest's (its callers, job runs and the
    # reindex of every source, pass contexts without a user); the call only
    # records, for CKAN's audit, that the action went through check_access
    tk.check_access("harvest_source_reindex", dict(context, ignore_auth=True), data_dict)
    if not tk.check_ckan_version(min_version="2.12"):
        return original_action(context, data_dict)
    source_id = tk.get_or_bust(data_dict, "id")
    logic.index_update_package({"ignore_auth": True, "user": context.get("user")},
                               source_id, context.get("defer_commit", False))
    return True
