"""Leaflet for the national map, without CKAN's base scripts.

ckanext-spatial ships Leaflet (``assets/js/vendor/leaflet/<version>``), but its
script bundles preload CKAN's ``base/main`` for spatial's own CKAN modules:
jQuery, moment, select2, htmx and Bootstrap, about 250 KB compressed, more than
half of what the map page weighed on a phone. The map is a plain script that
needs Leaflet's two files only. A ``webassets.yml`` names files inside its own
folder, so these two bundles are registered here, from the files spatial
installed: nothing is vendored twice, and Leaflet's version is spatial's.

Bundles: ``ocsregistry/leaflet-js`` (preloaded by ``ocsregistry/ocsregistry-map-js``)
and ``ocsregistry/leaflet-css``.
"""
from __future__ import annotations

import glob
import logging
import os

__all__ = ["ocsregistry_register_leaflet_assets", "LEAFLET_JS", "LEAFLET_CSS"]

log = logging.getLogger(__name__)

LEAFLET_JS = "ocsregistry/leaflet-js"
LEAFLET_CSS = "ocsregistry/leaflet-css"


def _leaflet_folder() -> str | None:
    """Spatial's Leaflet folder (the newest version it ships), or None."""
    try:
        import ckanext.spatial
    except ImportError:
        return None
    folders = glob.glob(os.path.join(os.path.dirname(ckanext.spatial.__file__),
                                     "assets", "js", "vendor", "leaflet", "*", "leaflet.js"))
    if not folders:
        return None

    def version(path: str) -> tuple:
        name = os.path.basename(os.path.dirname(path))
        return tuple(int(p) if p.isdigit() else 0 for p in name.split("."))

    return os.path.dirname(max(folders, key=version))


def ocsregistry_register_leaflet_assets() -> bool:
    """Register the two bundles (once); False, and a warning, when spatial ships no Leaflet.

    Called from ``update_config``, when CKAN's webassets environment exists. The map page
    then shows its table and legend without the drawn map.
    """
    from webassets import Bundle

    from ckan.lib import webassets_tools

    folder = _leaflet_folder()
    if folder is None:
        log.warning("ckanext-spatial's Leaflet files not found: the national map is not drawn")
        return False
    # leaflet.js is minified already: no filter, the bundle only copies it under webassets/
    for name, source, output in (
            (LEAFLET_JS, "leaflet.js", "ocsregistry/%(version)s_leaflet.js"),
            (LEAFLET_CSS, "leaflet.css", "ocsregistry/%(version)s_leaflet.css")):
        if not webassets_tools.is_registered(name):
            webassets_tools.env.register(name, Bundle(os.path.join(folder, source), output=output))
    return True
