"""Input schemas of the registry's own actions."""
from __future__ import annotations

from typing import Any

from ckan.logic.schema import validator_args
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import review
from ckanext.ocsregistry.search import fields, summary
from ckanext.ocsregistry.search.query import FILTER_FIELDS

ERAS = ("2016", "pre-2016")
LANGUAGES = ("fr", "en")
# Other spellings of an era accepted in web addresses (``?era=pre2016``).
ERA_ALIASES = {"pre2016": "pre-2016"}


def era_value(value: Any) -> Any:
    """``2016`` or ``pre-2016`` (also written ``pre2016``), else an error in words."""
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be 2016 (current regions) or pre-2016 (regions before 2016)"))
    value = value.strip()
    value = ERA_ALIASES.get(value.lower(), value.lower())
    if value not in ERAS:
        raise tk.Invalid(tk._("Must be 2016 (current regions) or pre-2016 (regions before 2016)"))
    return value


def review_filter_value(value: Any) -> Any:
    """The "to review" filter: ``1`` (only records due for review) or left out."""
    try:
        return "1" if review.filter_value(value) else None
    except ValueError:
        raise tk.Invalid(tk._("Must be 1 (only the records to review) or left out"))


def trait_values(value: Any) -> Any:
    """Known record traits only (search/summary.py), so that a typo is not an empty result."""
    unknown = [v for v in (value if isinstance(value, list) else [value]) if v not in summary.TRAITS]
    if unknown:
        raise tk.Invalid(tk._("Unknown value {value}; expected one of: {expected}").format(
            value=", ".join(map(str, unknown)), expected=", ".join(summary.TRAITS)))
    return value


@validator_args
def region_list_schema(default, unicode_safe, one_of):
    return {"era": [default("2016"), unicode_safe, one_of(list(ERAS))]}


@validator_args
def registry_filters_schema(ignore_missing, unicode_safe, ocsregistry_string_list,
                            ocsregistry_year, ocsregistry_bbox):
    """Search filters, in the catalogue search's own parameter names."""
    schema = {
        "q": [ignore_missing, unicode_safe],
        "ext_vintage_from": [ignore_missing, ocsregistry_year],
        "ext_vintage_to": [ignore_missing, ocsregistry_year],
        "ext_latest_vintage_from": [ignore_missing, ocsregistry_year],
        "ext_bbox": [ignore_missing, ocsregistry_bbox],
        review.FILTER_PARAM: [ignore_missing, review_filter_value],
    }
    for field in FILTER_FIELDS:
        schema[field] = [ignore_missing, ocsregistry_string_list]
    schema[fields.FACET_TRAIT].append(trait_values)
    return schema


@validator_args
def map_data_schema(default, unicode_safe):
    return dict(registry_filters_schema(), era=[default("2016"), unicode_safe, era_value])


@validator_args
def export_schema(default, unicode_safe, one_of):
    return dict(registry_filters_schema(), lang=[default("fr"), unicode_safe, one_of(list(LANGUAGES))])


@validator_args
def changes_schema(default, unicode_safe, one_of, ocsregistry_feed_limit):
    return {"limit": [default(50), ocsregistry_feed_limit],
            "lang": [default("fr"), unicode_safe, one_of(list(LANGUAGES))]}


@validator_args
def compare_schema(ignore_missing, unicode_safe, one_of):
    return {"records": [ignore_missing], "lang": [ignore_missing, unicode_safe,
                                                  one_of(list(LANGUAGES))]}
