"""``ckan ocsregistry ...`` commands."""
from __future__ import annotations

import click

from ckanext.ocsregistry import demo

__all__ = ["ocsregistry"]


@click.group(short_help="OCS registry commands")
def ocsregistry():
    """Commands of the regional land-cover (OCS) registry."""


@ocsregistry.command("load-demo")
def load_demo():
    """Create or update the demonstration CRIGEs and records.

    Safe to run again: existing organisations and records are updated in place.
    """
    report = demo.load()
    click.echo(
        f"{report['organizations']} CRIGE organisations and "
        f"{report['datasets']} OCS records loaded "
        f"({report['created']} created, {report['updated']} updated)."
    )
