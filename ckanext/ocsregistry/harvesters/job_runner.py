"""Run one harvest job to the end, through ckanext-harvest's Redis queues.

This is what the gather and fetch consumers of a production set-up do, in one
process and without waiting for new messages: useful from cron, in tests and
in the benchmark. Messages of other jobs found on the queues are processed
too (they are real work, and would otherwise wait for the consumers).
"""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk

from ckanext.ocsregistry import record
from ckanext.harvest import queue


def _drain(consumer: Any, queue_name: str, callback: Callable) -> int:
    handled = 0
    while True:
        method, header, body = consumer.basic_get(queue=queue_name)
        if body is None:
            return handled
        callback(consumer, method, header, body)
        handled += 1


def forget_modification_dates(source_id: str) -> int:
    """Make the next job re-import every record of the source (after a configuration
    change, e.g. a new organisation mapping): it then finds none unchanged."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    count = (model.Session.query(HarvestObject)
             .filter(HarvestObject.harvest_source_id == source_id,
                     HarvestObject.current.is_(True))
             .update({"metadata_modified_date": None}, synchronize_session=False))
    model.Session.commit()
    return count


def run_source(source: str, force: bool = False) -> dict[str, Any]:
    """Create a job for the source (id or name), run it and return ``harvest_job_show``.

    ``force``: re-import records the source has not changed (registry sources).
    """
    context = record.site_context()
    source_dict = tk.get_action("harvest_source_show")(context, {"id": source})
    if force:
        forget_modification_dates(source_dict["id"])
    job = tk.get_action("harvest_job_create")(
        dict(context), {"source_id": source_dict["id"], "run": True})
    _drain(queue.get_gather_consumer(), queue.get_gather_queue_name(), queue.gather_callback)
    _drain(queue.get_fetch_consumer(), queue.get_fetch_queue_name(), queue.fetch_callback)
    tk.get_action("harvest_jobs_run")(dict(context), {"source_id": source_dict["id"]})
    return tk.get_action("harvest_job_show")(dict(context), {"id": job["id"]})
