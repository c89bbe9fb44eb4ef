"""Input schemas of the registry's own actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args

ERAS = ("2016", "pre-2016")


@validator_args
def region_list_schema(default, unicode_safe, one_of):
    return {"era": [default("2016"), unicode_safe, one_of(list(ERAS))]}
