"""``ckan ocsregistry ...`` commands."""
from __future__ import annotations

import logging
import sys

import click

import ckan.plugins as p
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import demo, maintenance, record, reminders
from ckanext.ocsregistry.table import columns, importer

log = logging.getLogger(__name__)
__all__ = ["ocsregistry"]


@click.group(short_help="OCS registry commands")
def ocsregistry():
    """Commands of the regional land-cover (OCS) registry."""


@ocsregistry.command("load-demo")
def load_demo():
    """Create or update the demonstration CRIGEs and records.

    Safe to run again: existing organisations and records are updated in place,
    and left alone when they already match the shipped file.
    """
    report = demo.load()
    click.echo(
        f"{report['organizations']} CRIGE organisations and "
        f"{report['datasets']} OCS records loaded "
        f"({report['created']} created, {report['updated']} updated, "
        f"{report['unchanged']} unchanged)."
    )


@ocsregistry.command("upgrade")
def upgrade():
    """Bring an existing site up to this version; safe to run again.

    Applies this extension's database migrations (restricted funding values
    move out of CKAN's extras into their own table), removes restricted values
    from activity snapshots of records whose funding is not public, drops the
    map and export digests, reindexes every registry record and rebuilds the
    CSW endpoint's table (as `csw-sync`).
    """
    report = maintenance.upgrade()
    click.echo(f"Migrations applied; {report['activities']} activity snapshots cleaned, "
               f"{report['digests']} digests dropped, {report['records']} records reindexed, "
               f"{report['csw']} public records written to the CSW table.")


@ocsregistry.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
@click.option("--user", default=None,
              help="Import with this user's rights (default: the site user, a sysadmin).")
def import_table(path: str, dry_run: bool, user: str | None):
    """Import a registry table (.csv or .xlsx, as the export writes it).

    Rows are matched on the record's URL name. Nothing is written unless every
    row is valid. Funding cells left empty keep the record's values.
    """
    if user is None:
        user = record.site_context()["user"]
    try:
        report = importer.run(path, user, dry_run=dry_run)
    except Exception as e:  # noqa: BLE001 - e.g. the search index is down: one line, no traceback
        log.debug("import stopped", exc_info=True)
        raise click.ClickException(f"{path}: the import stopped ({type(e).__name__}: "
                                   f"{columns.visible(e, 300)}); nothing was written")
    for error in report.file_errors:
        click.echo(f"{path}: {error}", err=True)
    for row in report.rows:
        who = columns.visible(row.name, 60) or "?"
        for field, messages in row.errors.items():
            place = report.place(field)
            for message in messages:
                click.echo(f"{path}:{row.line} ({who}) {field}: {message}"
                           + (f" - {place}" if place else ""), err=True)
    summary = (f"{report.count('create')} to create, {report.count('update')} to update, "
               f"{report.count('unchanged')} unchanged")
    if not report.ok and not report.rows:
        click.echo("Nothing was written.", err=True)  # the file could not be read
        sys.exit(1)
    if not report.ok:
        click.echo(f"Nothing was written: {summary}; "
                   f"{sum(1 for r in report.rows if r.errors)} row(s) with errors.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"Dry run, the file is valid: {summary}.")
    else:
        click.echo(f"Imported: {summary}.")


@ocsregistry.command("harvest")
@click.argument("source")
@click.option("--force", is_flag=True,
              help="Re-import records the source has not changed (after a change of the "
                   "source's configuration, e.g. its organisation mapping).")
def harvest(source: str, force: bool):
    """Run one harvest job of SOURCE (name or id) to the end, through the queues.

    Equivalent to `ckan harvester job SOURCE` followed by the gather and fetch
    consumers, in one process that stops when the job is finished (for cron).
    Exits with 1 when the job reported errors.
    """
    if not p.plugin_loaded("harvest"):
        raise click.ClickException("harvesting needs ckanext-harvest's harvest plugin "
                                   "(and ocsregistry_harvester for registry sources)")
    # Imported here: it needs ckanext-harvest, which the registry alone does not.
    from ckanext.ocsregistry.harvesters import job_runner

    try:
        job = job_runner.run_source(source, force=force)
    except tk.ObjectNotFound:
        raise click.ClickException(f"no harvest source {source!r}")
    stats = job.get("stats") or {}
    click.echo(f"job {job['id']}: {job['status']}; " + ", ".join(
        f"{stats.get(k, 0)} {k}" for k in ("added", "updated", "deleted", "not modified",
                                          "errored")))
    errors = (job.get("gather_error_summary") or []) + (job.get("object_error_summary") or [])
    for row in errors:
        click.echo(f"  error ({row.get('error_count', 1)}x): {row.get('message')}", err=True)
    if stats.get("errored"):
        sys.exit(1)


@ocsregistry.command("csw-sync")
def csw_sync():
    """Rebuild the CSW endpoint's table from the registry; safe to repeat.

    Every public record's ISO 19139 is written again, and rows of records now
    private, deleted or gone are removed. Saves keep the table in step; run
    this from the scheduler as a safety net, after an upgrade, or after turning
    ckanext.ocsregistry.csw.enabled back on.
    """
    from ckanext.ocsregistry.csw import repository

    if not repository.enabled():
        raise click.ClickException("the CSW endpoint is off (ckanext.ocsregistry.csw.enabled)")
    report = repository.rebuild()
    for failure in report["failed"]:
        click.echo(f"CSW: not written: {failure}", err=True)
    click.echo(f"CSW: {report['records']} public records written, "
               f"{report['removed']} other rows removed.")
    if report["failed"]:
        sys.exit(1)


@ocsregistry.command("remind")
@click.option("--dry-run", is_flag=True, help="Print the messages, send nothing.")
@click.option("--organization", "organizations", multiple=True, metavar="NAME",
              help="Only this CRIGE (repeatable), e.g. to retry one that failed.")
def remind(dry_run: bool, organizations: tuple[str, ...]):
    """E-mail each CRIGE's admins the list of their records due for review.

    One message per CRIGE to each of its admins, in French, through CKAN's
    mailer (smtp.* options). Keeps no state: meant to run monthly. A CRIGE that
    fails (no admin, no e-mail address, SMTP error) is reported and the others
    are still sent; the exit code is 1 when any failed.
    """
    if not dry_run and not tk.config.get("smtp.mail_from"):
        raise click.ClickException("smtp.mail_from is not set: the reminders need a sender "
                                   "address (and smtp.server), see CKAN's e-mail settings")
    planned = reminders.plan(organizations or None)
    reminders.send(planned, dry_run=dry_run, echo=click.echo)
    failed = 0
    for reminder in planned:
        count = len(reminder.records)
        if dry_run:
            done = f"would send to {', '.join(r['email'] for r in reminder.recipients) or 'nobody'}"
        else:
            done = f"sent to {', '.join(reminder.sent) or 'nobody'}"
        click.echo(f"{reminder.name}: {count} record(s) due for review, {done}")
        for error in reminder.errors:
            click.echo(f"{reminder.name}: error: {error}", err=True)
        failed += bool(reminder.errors)
    click.echo(f"{len(planned)} CRIGE(s) with records due for review, {failed} with errors"
               + (" (dry run: nothing sent)." if dry_run else "."))
    if failed:
        sys.exit(1)
