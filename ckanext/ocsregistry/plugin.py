"""The ``ocsregistry`` plugin: registry of regional land-cover (OCS) bases."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.interfaces import IHarvester

from ckanext.ocsregistry import facets, indexing, record_cache, registry_search
from ckanext.ocsregistry.restricted import derived, policy, write
from ckanext.ocsregistry.harvesters import (RegistryHarvester, rdf_guard, record_mapping,
                                           source_config)
from ckanext.ocsregistry.registry_search import DATASET_TYPE


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
    # The registry harvester lives in harvesters/; ckanext-harvest finds
    # harvesters among loaded plugins, so this one plugin stands for it.
    p.implements(IHarvester)
    p.implements(IDCATRDFHarvester, inherit=True)

    _harvester = RegistryHarvester()

    # IConfigurer

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "ocsregistry")

    # IConfigurable

    def configure(self, config: Any) -> None:
        derived.guard_activity()

    # IPackageController: restricted values (restricted/) never reach CKAN's
    # package, its index or its activity; the record's other fields are indexed.

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        policy.apply_to_show(pkg_dict, context)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        write.persist(context, pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        write.persist(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        derived.prepare_index_document(pkg_dict)
        if pkg_dict.get("type") == DATASET_TYPE:
            indexing.index_document(pkg_dict)
            record_cache.store([json.loads(pkg_dict["validated_data_dict"])])
        return pkg_dict

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        vintage_fq = registry_search.vintage_range_fq_from_extras(search_params.get("extras") or {})
        if vintage_fq:
            search_params["fq"] = (search_params.get("fq") or "") + " " + vintage_fq
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
        if package_type == DATASET_TYPE:
            return facets.registry_facets(facets_dict)
        return facets_dict

    # IHarvester (``ocsregistry`` harvest sources)

    def info(self) -> dict[str, str]:
        return self._harvester.info()

    def validate_config(self, config: Any) -> Any:
        return self._harvester.validate_config(config)

    def get_original_url(self, harvest_object_id: str) -> Any:
        return self._harvester.get_original_url(harvest_object_id)

    def gather_stage(self, harvest_job: Any) -> list[str]:
        return self._harvester.gather_stage(harvest_job)

    def fetch_stage(self, harvest_object: Any) -> bool:
        return self._harvester.fetch_stage(harvest_object)

    def import_stage(self, harvest_object: Any) -> Any:
        return self._harvester.import_stage(harvest_object)

    # IDCATRDFHarvester: records harvested as DCAT go to the CRIGE covering
    # their region (the source's organisation when it covers it).

    def before_create(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        self._place_dcat_record(harvest_object, dataset_dict)

    def before_update(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        self._place_dcat_record(harvest_object, dataset_dict)

    def after_download(self, content: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        if not content:
            return content, []
        try:
            configured = json.loads(harvest_job.source.config or "{}").get("rdf_format")
        except (ValueError, AttributeError):
            configured = None
        message = rdf_guard.unreadable(content, configured)
        return (None, [message]) if message else (content, [])

    def update_session(self, session: Any) -> Any:
        # ckanext-dcat sets no timeout: a slow source would hold the job forever.
        timeout = tk.config.get("ckanext.ocsregistry.dcat_harvest_timeout")
        send = session.request

        def request(method, url, **kwargs):
            kwargs.setdefault("timeout", timeout)
            return send(method, url, **kwargs)

        session.request = request
        return session

    def _place_dcat_record(self, harvest_object: Any, dataset_dict: dict) -> None:
        if dataset_dict.get("type") != DATASET_TYPE:
            return
        try:
            dataset_dict["owner_org"] = record_mapping.choose_organization(
                dataset_dict, source_config.SourceConfig(), dataset_dict.get("owner_org"))
        except record_mapping.MappingError:
            pass  # validation then names owner_org
