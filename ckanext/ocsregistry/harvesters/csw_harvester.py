"""``ocsregistry_csw_harvester``: ckanext-spatial's CSW harvester, able to import.

ckanext-spatial 2.3.2's ``csw_harvester`` (and its master branch, 2026-11)
cannot import any record it fetches: its CSW client prefixes each document with
``<?xml version="1.0" encoding="UTF-8"?>``, the pattern meant to remove it
(``<xml(.*)>``) does not match ``<?xml``, and lxml then refuses the text
("Unicode strings with encoding declaration are not supported"), so every
object of every job fails at import. This subclass removes the declaration
after the fetch and changes nothing else. Load it instead of ``csw_harvester``
(both answer the ``csw`` source type) on a CKAN site that harvests a CSW
endpoint, this registry's ``/csw`` included. It needs ckanext-spatial and
ckanext-harvest, and nothing else of this extension.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins as p
from ckanext.harvest.interfaces import IHarvester
from ckanext.spatial.harvesters.csw import CSWHarvester

__all__ = ["OcsregistryCSWHarvester", "without_declaration"]

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def without_declaration(text: str) -> str:
    """``text`` without its leading XML declaration (which lxml refuses in a str)."""
    return _DECLARATION.sub("", text, count=1)


class OcsregistryCSWHarvester(CSWHarvester):
    p.implements(IHarvester)

    def fetch_stage(self, harvest_object: Any) -> bool:
        fetched = super().fetch_stage(harvest_object)
        if fetched and harvest_object.content:
            harvest_object.content = without_declaration(harvest_object.content)
            harvest_object.save()
        return fetched
