"""Catch RDF that would crash ckanext-dcat's gather stage instead of being reported.

ckanext-dcat turns only some rdflib errors into "Error parsing the RDF file";
others (an ``IndexError`` on truncated Turtle, for one) escape, and the job is
left "Running" with no message. This parses the download first and reports
those as the harvester would.
"""
from __future__ import annotations

import xml.sax
from typing import Optional

import rdflib
from rdflib.plugin import PluginException

# What ckanext-dcat's RDFParser.parse already reports itself.
REPORTED_BY_DCAT = (SyntaxError, xml.sax.SAXParseException, PluginException, TypeError)


def _guess_format(content: str, configured: Optional[str]) -> str:
    if configured:
        return configured
    start = content.lstrip()[:1]
    if start == "<":
        return "xml"
    if start in "{[":
        return "json-ld"
    return "turtle"


def unreadable(content: str, configured_format: Optional[str] = None) -> Optional[str]:
    """The message for content that would crash the parser, else ``None``."""
    try:
        rdflib.Graph().parse(data=content, format=_guess_format(content, configured_format))
    except REPORTED_BY_DCAT:
        return None
    except Exception as error:  # noqa: BLE001 - any other parser failure
        return f"Error parsing the RDF file: {type(error).__name__} ({error}). Nothing was changed."
    return None
