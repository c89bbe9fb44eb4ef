"""The review cycle of a record: when it is due for review, in one place.

A record is due for review once its due date, its information date
(``info_updated``) plus its review frequency (``review_frequency_months``,
12 when unset), has passed: on the due date itself it is not due yet, the day
after it is "due since" that date. A record without an information date counts
from its creation.
The record page, the search index (so that search, the map, the CRIGE's
review page and the export filter and sort on it), the reminders and the
re-read action all use this module.

Months are added with dateutil's ``relativedelta`` (a CKAN dependency): a
date at the end of a month stays at the end of a shorter one (31 August plus
6 months is 28 February).
"""
from __future__ import annotations

import datetime
from typing import Any, Mapping, Optional

from dateutil.relativedelta import relativedelta

__all__ = ["SOLR_FIELD", "DEFAULT_FREQUENCY_MONTHS", "today", "information_date",
           "frequency_months", "due_date", "is_due", "status", "index_value",
           "due_fq", "FILTER_PARAM", "filter_value"]

# A ``*_date`` dynamic field of CKAN's stock Solr schema (single-valued date).
SOLR_FIELD = "ocsregistry_review_due_date"
DEFAULT_FREQUENCY_MONTHS = 12
# The catalogue search parameter of the "to review" filter (an ``ext_`` extra,
# so CKAN's search page passes it to ``before_dataset_search`` untouched).
FILTER_PARAM = "ext_review_due"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def today() -> datetime.date:
    """Today in UTC: what Solr's dates are compared with, so that the page,
    the index filter and the reminders agree whatever the server's zone."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def _date(value: Any) -> Optional[datetime.date]:
    try:
        return datetime.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def information_date(pkg_dict: Mapping[str, Any]) -> Optional[datetime.date]:
    """The date the review cycle counts from: the information date, else the
    record's creation (a record never dated is due since it was created)."""
    return _date(pkg_dict.get("info_updated")) or _date(pkg_dict.get("metadata_created"))


def frequency_months(pkg_dict: Mapping[str, Any]) -> int:
    try:
        months = int(str(pkg_dict.get("review_frequency_months") or "").strip())
    except ValueError:
        return DEFAULT_FREQUENCY_MONTHS
    return months if months > 0 else DEFAULT_FREQUENCY_MONTHS


def due_date(pkg_dict: Mapping[str, Any]) -> Optional[datetime.date]:
    """The day the record falls due for review (None for a record being filled in)."""
    start = information_date(pkg_dict)
    if start is None:
        return None
    return start + relativedelta(months=frequency_months(pkg_dict))


def is_due(pkg_dict: Mapping[str, Any], on: Optional[datetime.date] = None) -> bool:
    due = due_date(pkg_dict)
    return due is not None and due < (on or today())


def status(pkg_dict: Mapping[str, Any], on: Optional[datetime.date] = None) -> Optional[dict[str, Any]]:
    """``{due_date, is_due, days}`` for a page or a message (days: since or until
    the due date), or None when the record has no date at all."""
    due = due_date(pkg_dict)
    if due is None:
        return None
    on = on or today()
    return {"due_date": due.isoformat(), "is_due": due < on, "days": abs((on - due).days)}


def index_value(pkg_dict: Mapping[str, Any]) -> Optional[str]:
    """The due date as Solr writes a date (UTC midnight)."""
    due = due_date(pkg_dict)
    return f"{due.isoformat()}T00:00:00Z" if due else None


def due_fq(on: Optional[datetime.date] = None) -> str:
    """The Solr filter of records due for review on ``on`` (default today): a due
    date before that day (``}``: upper bound excluded). The date is Python's,
    not Solr's NOW, so the page and the filter agree."""
    return f"+{SOLR_FIELD}:[* TO {(on or today()).isoformat()}T00:00:00Z}}"


def filter_value(value: Any) -> bool:
    """Whether the "to review" parameter is on; ValueError when it is not
    understood (``1``/``true``/``yes``/``on``, ``0``/``false``/``no``/``off``,
    or empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise ValueError(value)
