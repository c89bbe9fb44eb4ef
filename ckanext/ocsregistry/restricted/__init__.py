"""Funding and price values that stay with their CRIGE.

- ``store``: the extension's table, the only place the values are kept;
- ``write``: validators that keep them out of CKAN's package, then save them;
- ``policy``: who sees them, and in which ``package_show`` calls;
- ``derived``: index documents and activity rows cleaned whatever reached them.
"""
from ckanext.ocsregistry.restricted.policy import (PUBLIC, can_see, fields, for_user,
                                                   shown_values, visibility, with_values)

__all__ = ["PUBLIC", "can_see", "fields", "for_user", "shown_values", "visibility",
           "with_values"]
