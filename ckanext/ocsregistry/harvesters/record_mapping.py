"""From a record as a remote registry publishes it to the dict this site validates."""
from __future__ import annotations

from typing import Any, Optional

from ckan import model
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.ocsregistry import crige, restricted
from ckanext.ocsregistry.harvesters.source_config import SourceConfig
from ckanext.ocsregistry.record import DATASET_TYPE

# Set here, never taken from the remote record.
LOCAL_KEYS = ("id", "owner_org", "type", "state", "private")


class MappingError(Exception):
    """The record cannot be placed here; the message says which field and why."""


def local_fields() -> tuple[list[str], list[str]]:
    schema = scheming_get_dataset_schema(DATASET_TYPE)
    hidden = set(restricted.fields(DATASET_TYPE)) | set(LOCAL_KEYS)
    dataset = [f["field_name"] for f in schema["dataset_fields"] if f["field_name"] not in hidden]
    resource = [f["field_name"] for f in schema.get("resource_fields", [])]
    return dataset, resource


def to_local(record: dict[str, Any], owner_org: str) -> dict[str, Any]:
    """Keep the schema's fields (the remote's extras, counters and ids are its own business).

    Restricted fields are never published by a source, and are left out here so
    that values a local sysadmin entered survive an update.
    """
    dataset_fields, resource_fields = local_fields()
    local = {name: record[name] for name in dataset_fields if name in record}
    local["resources"] = [
        {name: resource[name] for name in resource_fields if name in resource}
        for resource in record.get("resources") or [] if isinstance(resource, dict)
    ]
    local["type"] = DATASET_TYPE
    local["owner_org"] = owner_org
    return local


def _organisations_covering(region_code: str) -> list[Any]:
    """(id, name) of the active organisations covering the region, in one query."""
    return [org for org in crige.regions_covered() if region_code in org.regions]


def choose_organization(record: dict[str, Any], config: SourceConfig,
                        source_owner_org: Optional[str]) -> str:
    """The local organisation a remote record goes to (see ``source_config``)."""
    remote_org = (record.get("organization") or {}).get("name") or ""
    if remote_org in config.organizations:
        return model.Group.get(config.organizations[remote_org]).id
    region = str(record.get("region_code") or "")
    covering = _organisations_covering(region) if region else []
    if len(covering) == 1:
        return covering[0].id
    if len(covering) > 1:
        owners = [g for g in covering if g.id == source_owner_org]
        if owners:
            return owners[0].id
        raise MappingError(
            f'owner_org: several local organisations cover region {region} '
            f'({", ".join(g.name for g in covering)}); map "{remote_org}" in the source\'s '
            '"organizations" setting')
    if config.default_organization:
        return model.Group.get(config.default_organization).id
    if source_owner_org:
        return source_owner_org
    raise MappingError(
        f'owner_org: no local organisation for remote organisation "{remote_org}" '
        f'(region {region or "unknown"}): map it in the source\'s "organizations" setting, '
        'set "default_organization", or give the harvest source an organisation')


def describe_errors(error_dict: dict[str, Any]) -> str:
    """``{"vintages": [{}, {"year": ["bad"]}]}`` -> ``vintages 2 year: bad``, field by field."""
    parts: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix} {key}".strip(), sub)
        elif isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
            for position, sub in enumerate(value, 1):
                if sub:
                    walk(f"{prefix} {position}", sub)
        elif isinstance(value, list):
            if value:
                parts.append(f"{prefix}: {' '.join(str(v) for v in value)}")
        elif value:
            parts.append(f"{prefix}: {value}")

    walk("", error_dict)
    return "; ".join(parts)
