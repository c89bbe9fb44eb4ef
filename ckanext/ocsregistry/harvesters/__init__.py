"""The ``ocsregistry_harvester`` plugin (``plugin.py``): harvesting with ckanext-harvest
and ckanext-dcat.

Nothing here is imported by the ``ocsregistry`` plugin when this one is not
loaded: a site without ckanext-harvest or ckanext-dcat runs the registry
without it.
"""
