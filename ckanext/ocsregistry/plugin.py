"""The ``ocsregistry`` plugin: registry of regional land-cover (OCS) bases.

It needs CKAN and ckanext-scheming only. Harvesting (ckanext-harvest,
ckanext-dcat) is the ``ocsregistry_harvester`` plugin, in ``harvesters/``.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.ocsregistry import csrf_guard, history, licences, webassets_leaflet
from ckanext.ocsregistry.csw import repository as csw_repository
from ckanext.ocsregistry.search import facets, index, query
from ckanext.ocsregistry.restricted import derived, policy, write
from ckanext.ocsregistry.record import DATASET_TYPE


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.cli
@tk.blanket.blueprints
class OcsregistryPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.ITranslation)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "ocsregistry")
        # Leaflet from ckanext-spatial's files, without spatial's preload of CKAN's base scripts
        webassets_leaflet.ocsregistry_register_leaflet_assets()
        # No page of the registry calls a third party: user pictures are CKAN's
        # local placeholder, not gravatar.com's (unless the site chose a style).
        if config.get("ckan.gravatar_default") in (None, "", "identicon"):
            config["ckan.gravatar_default"] = "disabled"
        # The record's licence list ships with the extension (licences.py);
        # a site that chose its own list keeps it.
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = licences.FILE_URL

    # IConfigurable

    def configure(self, config: Any) -> None:
        derived.guard_activity()
        history.one_entry_per_save()

    # IMiddleware

    def make_middleware(self, app: Any, config: Any) -> Any:
        csrf_guard.install(app)  # CKAN 2.12.0 only (see csrf_guard.py)
        return app

    # IPackageController: restricted values (restricted/) never reach CKAN's
    # package, its index or its activity; the record's other fields are indexed;
    # pycsw's table (csw/) follows every save in the same transaction.

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        policy.apply_to_show(pkg_dict, context)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        write.persist(context, pkg_dict)
        csw_repository.sync(pkg_dict.get("id"))

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        write.persist(context, pkg_dict)
        csw_repository.sync(pkg_dict.get("id"))

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        # The CSW table (csw/repository.py) drops the record; purges cascade.
        csw_repository.remove(pkg_dict.get("id"))

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return index.prepare(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        extras_fq = query.extras_fq(search_params.get("extras") or {})
        if extras_fq:
            search_params["fq"] = (search_params.get("fq") or "") + " " + extras_fq
        return search_params

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]):
        facets.label_items(search_results.get("search_facets") or {})
        return search_results

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        if package_type == DATASET_TYPE:
            return facets.registry_facets(facets_dict)
        return facets_dict

    def organization_facets(self, facets_dict: dict[str, Any], organization_type: str,
                            package_type: str | None) -> dict[str, Any]:
        # A CRIGE's page lists its records (CKAN asks with its default type,
        # "dataset"): the registry's facets, not groups, formats and licences.
        if package_type in (DATASET_TYPE, "dataset", None):
            return facets.registry_facets(facets_dict)
        return facets_dict
