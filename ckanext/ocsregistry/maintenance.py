"""Upgrading an existing site to this version (``ckan ocsregistry upgrade``)."""
from __future__ import annotations

from ckan import model
from ckan.lib import search

from ckanext.ocsregistry.csw import repository as csw_repository
from ckanext.ocsregistry.search import digests
from ckanext.ocsregistry.record import DATASET_TYPE
from ckanext.ocsregistry.restricted import derived


def upgrade() -> dict[str, int]:
    # CKAN's own runner, as `ckan db upgrade -p ocsregistry` does it: the
    # migration moves restricted values out of package_extra.
    from ckan.cli.db import _run_migrations
    _run_migrations("ocsregistry")
    activities = derived.scrub_all_history()
    model.repo.commit()
    dropped = digests.clear()
    ids = [row[0] for row in model.Session.query(model.Package.id)
           .filter(model.Package.type == DATASET_TYPE, model.Package.state != "deleted")]
    if ids:
        search.rebuild(package_ids=ids, quiet=True)
        search.commit()  # rebuild defers the commit for a list of ids, and never makes it
    # the CSW table, from the index just rebuilt (the ISO 19139 may have changed)
    csw = csw_repository.rebuild()["records"] if csw_repository.enabled() else 0
    return {"activities": activities, "digests": dropped, "records": len(ids), "csw": csw}
