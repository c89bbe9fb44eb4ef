"""The ``ocsregistry_harvester`` plugin: harvesting for the registry.

- IHarvester: ``ocsregistry`` harvest sources, records of another registry
  (``registry_harvester.RegistryHarvester``, whose methods this class inherits);
- IDCATRDFHarvester: records harvested as DCAT (ckanext-dcat's
  ``dcat_rdf_harvester``) go to the CRIGE covering their region, RDF that would
  crash ckanext-dcat's parser is reported, and sources get a timeout;
- IAuthFunctions: harvested records are edited at their source, not here, one
  by one or in bulk (``auth``);
- IBlueprint: ckanext-harvest's routes that change state answer POST only
  (``views``);
- IActions: ckanext-harvest's ``harvest_source_reindex`` indexes as CKAN 2.12
  does (``actions``);
- IConfigurable: ckanext-harvest's queue connections wait without read timeout,
  so its consumers survive an idle queue with redis-py 6+ (``queue_connection``).

Needs ckanext-harvest (``harvest`` plugin) and ckanext-dcat; the ``ocsregistry``
plugin itself runs without them (see README, installation).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.interfaces import IHarvester

from ckanext.ocsregistry.harvesters import (
    actions, auth, queue_connection, rdf_guard, record_mapping, source_config, views)
from ckanext.ocsregistry.harvesters.registry_harvester import RegistryHarvester
from ckanext.ocsregistry.record import DATASET_TYPE


@tk.blanket.actions(actions)
@tk.blanket.auth_functions(auth)
@tk.blanket.blueprints(views)
@tk.blanket.config_declarations
class OcsregistryHarvesterPlugin(RegistryHarvester, p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.IConfigurable, inherit=True)

    def configure(self, config: Any) -> None:
        queue_connection.install()

    # IDCATRDFHarvester: records harvested as DCAT go to the CRIGE covering
    # their region (the source's organisation when it covers it).

    def before_create(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        _place_dcat_record(dataset_dict)

    def before_update(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        _place_dcat_record(dataset_dict)

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


def _place_dcat_record(dataset_dict: dict) -> None:
    if dataset_dict.get("type") != DATASET_TYPE:
        return
    try:
        dataset_dict["owner_org"] = record_mapping.choose_organization(
            dataset_dict, source_config.SourceConfig(), dataset_dict.get("owner_org"))
    except record_mapping.MappingError:
        pass  # validation then names owner_org
