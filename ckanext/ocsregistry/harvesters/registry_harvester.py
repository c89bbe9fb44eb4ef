"""Harvest registry records from another CKAN running ckanext-ocsregistry.

Gather lists the source's ``ocs`` records in pages of ``package_search`` (one
request per page, never one per record) and compares them with what earlier
jobs of this source brought in: new and changed records become harvest
objects, unchanged ones are skipped, and records gone from the source become
"delete" objects. A listing that fails part-way changes nothing, so a source
that is down never withdraws records.

Import validates with this site's scheming schema (not CKAN's default one, see
ckanext-harvest #153/#241); a refused record leaves the local copy as it was.
"""
from __future__ import annotations

import datetime
import json
import uuid
from typing import Any, Optional

import sqlalchemy as sa
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.model import (HarvestGatherError, HarvestObject, HarvestObjectError,
                                   HarvestObjectExtra)

from ckanext.ocsregistry.harvesters import record_mapping, remote, source_config
from ckanext.ocsregistry.record import DATASET_TYPE, site_context

NAME = "ocsregistry"


def _extra(harvest_object: HarvestObject, key: str) -> Optional[str]:
    for extra in harvest_object.extras:
        if extra.key == key:
            return extra.value
    return None


def _modified(value: Any) -> Optional[datetime.datetime]:
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None


class RegistryHarvester:
    """IHarvester for ``ocsregistry`` sources; the ``ocsregistry_harvester`` plugin
    (``plugin.py``) is this class, with the DCAT hooks and the edit guard."""

    def info(self) -> dict[str, str]:
        return {
            "name": NAME,
            "title": "Registre des OCS régionales (CKAN + ckanext-ocsregistry)",
            "description": "Records of another regional OCS registry, with every field of "
                           "the field card; records deleted there are withdrawn here.",
            "form_config_interface": "Text",
        }

    def validate_config(self, config: Optional[str]) -> Optional[str]:
        source_config.parse(config)
        return config

    def get_original_url(self, harvest_object_id: str) -> Optional[str]:
        obj = HarvestObject.get(harvest_object_id)
        if not obj or not obj.content:
            return None
        name = json.loads(obj.content).get("name")
        return f"{obj.source.url.rstrip('/')}/dataset/{name}" if name else None

    # Gather

    def gather_stage(self, harvest_job) -> list[str]:
        try:
            config = source_config.parse(harvest_job.source.config)
            records = self._remote_records(harvest_job.source.url, config)
        except (ValueError, remote.RemoteError) as error:
            HarvestGatherError.create(f"{error}. Nothing was changed.", harvest_job)
            return []

        previous = self._previous_objects(harvest_job.source.id)
        object_ids, seen = [], set()
        for record in records:
            guid = record.get("id")
            if not isinstance(guid, str) or not guid:
                HarvestGatherError.create(
                    f'The source listed a record without an "id" ({record.get("name")!r}); skipped.',
                    harvest_job)
                continue
            if guid in seen:
                continue
            seen.add(guid)
            modified = _modified(record.get("metadata_modified"))
            before = previous.get(guid)
            if before and before.metadata_modified_date == modified and before.state == "active":
                continue
            obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps(record),
                                metadata_modified_date=modified,
                                extras=[HarvestObjectExtra(key="status",
                                                           value="change" if before else "new")])
            obj.save()
            object_ids.append(obj.id)

        for guid, before in previous.items():
            if guid in seen or before.state != "active":
                continue
            obj = HarvestObject(guid=guid, job=harvest_job, package_id=before.package_id,
                                extras=[HarvestObjectExtra(key="status", value="delete")])
            obj.save()
            object_ids.append(obj.id)
        return object_ids

    def _remote_records(self, url: str, config: source_config.SourceConfig
                        ) -> list[dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        start, count = 0, 0
        while True:
            result = remote.get_action(url, "package_search", {
                "fq": f"+dataset_type:{DATASET_TYPE}", "rows": config.page_size,
                "start": start, "sort": "id asc",
            }, config.timeout)
            if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                raise remote.RemoteError(f"{url}: package_search answer without a results list")
            count = int(result.get("count") or 0)
            for record in result["results"]:
                if isinstance(record, dict) and record.get("type") == DATASET_TYPE:
                    records.setdefault(str(record.get("id") or len(records)), record)
            start += len(result["results"])
            if not result["results"] or start >= count:
                break
        # Records added at the source while paging shift the pages: a record may
        # be missed, and must not be taken for a deletion.
        if len(records) < count:
            raise remote.RemoteError(
                f"{url}: the source changed while it was listed ({len(records)} of {count} "
                "records read); the next job will read it again")
        return list(records.values())

    def _previous_objects(self, source_id: str) -> dict[str, Any]:
        rows = (model.Session.query(HarvestObject.guid, HarvestObject.package_id,
                                    HarvestObject.metadata_modified_date,
                                    model.Package.state)
                .join(model.Package, model.Package.id == HarvestObject.package_id)
                .filter(HarvestObject.harvest_source_id == source_id,
                        HarvestObject.current.is_(True)))
        return {row.guid: row for row in rows}

    # Fetch: gather already holds each record whole, from the bulk listing.

    def fetch_stage(self, harvest_object) -> bool:
        if _extra(harvest_object, "status") == "delete":
            return True
        try:
            record = json.loads(harvest_object.content or "")
        except ValueError as error:
            HarvestObjectError.create(f"Unreadable record content ({error})", harvest_object,
                                      "Fetch")
            return False
        if not isinstance(record, dict):
            HarvestObjectError.create("Record content is not a JSON object", harvest_object,
                                      "Fetch")
            return False
        return True

    # Import

    def _context(self) -> dict[str, Any]:
        # ignore_auth: the edit guard on harvested records is an auth function.
        return dict(site_context(), model=model, session=model.Session)

    def _current(self, harvest_object) -> Optional[HarvestObject]:
        return (model.Session.query(HarvestObject)
                .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                        HarvestObject.guid == harvest_object.guid,
                        HarvestObject.current.is_(True),
                        HarvestObject.id != harvest_object.id)
                .first())

    def _local_package(self, harvest_object) -> Optional[model.Package]:
        """The local copy of the record, withdrawn or not (a record may come back)."""
        previous = (model.Session.query(HarvestObject)
                    .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                            HarvestObject.guid == harvest_object.guid,
                            HarvestObject.package_id.isnot(None),
                            HarvestObject.id != harvest_object.id)
                    .order_by(HarvestObject.current.desc(),
                              HarvestObject.import_finished.desc().nullslast())
                    .first())
        return model.Package.get(previous.package_id) if previous else None

    def import_stage(self, harvest_object) -> bool | str:
        if _extra(harvest_object, "status") == "delete":
            return self._withdraw(harvest_object)
        record = json.loads(harvest_object.content)
        label = f'Record "{record.get("name") or harvest_object.guid}"'
        try:
            return self._create_or_update(harvest_object, record)
        except record_mapping.MappingError as error:
            message = f"{label}: {error}. Nothing was changed here."
        except tk.ValidationError as error:
            message = (f"{label} refused by the schema: "
                       f"{record_mapping.describe_errors(error.error_dict)}. "
                       "Nothing was changed here.")
        except Exception as error:  # a bad record must not stop the job
            message = f"{label}: import failed ({error!r}). Nothing was changed here."
        model.Session.rollback()
        HarvestObjectError.create(message, harvest_object, "Import")
        return False

    def _create_or_update(self, harvest_object, record: dict[str, Any]) -> bool:
        source_package = model.Package.get(harvest_object.source.id)
        config = source_config.parse(harvest_object.source.config)
        owner = record_mapping.choose_organization(
            record, config, source_package.owner_org if source_package else None)
        data = record_mapping.to_local(record, owner)

        previous = self._current(harvest_object)
        existing = self._local_package(harvest_object)
        clash = model.Package.get(data.get("name") or "")
        if clash is not None and (existing is None or clash.id != existing.id):
            raise record_mapping.MappingError(
                f'name: a local record already uses the name "{clash.name}" and was not '
                "harvested from this source; it was left as it is (rename or delete one of them)")

        context = self._context()
        if existing is not None:
            data["id"] = existing.id
            data["state"] = "active"  # a record withdrawn earlier may come back
            if previous is not None:
                previous.current = False
            harvest_object.package_id = existing.id
            harvest_object.current = True
            harvest_object.add()
            tk.get_action("package_update")(context, data)
        else:
            data["id"] = str(uuid.uuid4())
            harvest_object.package_id = data["id"]
            harvest_object.current = True
            harvest_object.add()
            # The index is written inside package_create and must already see this
            # object as current (ckanext-harvest adds the source to the index then).
            model.Session.execute(
                sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
            model.Session.flush()
            tk.get_action("package_create")(context, data)
        model.Session.commit()
        return True

    def _withdraw(self, harvest_object) -> bool:
        previous = self._current(harvest_object)
        try:
            tk.get_action("package_delete")(self._context(), {"id": harvest_object.package_id})
        except tk.ObjectNotFound:
            pass
        if previous:
            previous.current = False
            previous.add()
        harvest_object.current = False
        harvest_object.add()
        model.Session.commit()
        return True
