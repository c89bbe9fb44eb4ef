"""Validators of the OCS registry's dataset and organisation schemas.

Each error is raised under the key of the field it concerns, so the API answers
``{"mmu_m2": ["..."]}`` and the form shows it beside the field.
"""
from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.lib.navl.dictization_functions import missing

from ckanext.ocsregistry import regions, urls
from ckanext.ocsregistry.restricted.write import (ocsregistry_restricted_input,
                                                  ocsregistry_restricted_stash)

__all__ = [
    "ocsregistry_identifier",
    "ocsregistry_text",
    "ocsregistry_text_items",
    "ocsregistry_url",
    "ocsregistry_year",
    "ocsregistry_feed_limit",
    "ocsregistry_positive_int",
    "ocsregistry_non_negative_number",
    "ocsregistry_at_most",
    "ocsregistry_number_output",
    "ocsregistry_iso_date",
    "ocsregistry_current_region_code",
    "ocsregistry_merged_region_codes",
    "ocsregistry_current_region_codes",
    "ocsregistry_regions_set_by_sysadmin",
    "ocsregistry_region_fields",
    "ocsregistry_distinct_vintage_years",
    "ocsregistry_string_list",
    "ocsregistry_bbox",
    "ocsregistry_restricted_input",
    "ocsregistry_restricted_stash",
]

_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
YEARS_AHEAD = 10


def _(text: str) -> str:
    return tk._(text)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value).strip()


def ocsregistry_identifier(value: Any) -> Any:
    if _blank(value):
        return value
    text = _text(value)
    if not _IDENTIFIER.match(text):
        raise tk.Invalid(_(
            "Use 1 to 64 letters, digits, dots, hyphens or underscores, "
            "starting with a letter or digit"))
    return text


# Control characters (line breaks and tabs aside) and the bidirectional
# embeddings, overrides and isolates, which make text read other than it is
# stored (Trojan Source, CVE-2021-42574); PostgreSQL refuses NUL outright.
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _as_text(value: Any, limit: int) -> str:
    """A scalar as text, at most ``limit`` characters, without control characters."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise tk.Invalid(_("Must be text, not a list or an object"))
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        raise tk.Invalid(_("Must be at most {0} characters (this one has {1})").format(
            f"{limit:,}".replace(",", "\u202f"), f"{len(text):,}".replace(",", "\u202f")))
    if _TEXT_CONTROLS.search(text):
        raise tk.Invalid(_("Must not contain control characters or text-direction overrides"))
    return text


def ocsregistry_text(max_length: str):
    """Validator factory, ``ocsregistry_text(500)`` in the schema: one text value
    (numbers are taken as their text), at most that many characters."""
    limit = int(max_length)

    def text(value: Any) -> Any:
        if value is missing or value is None:
            return value
        return _as_text(value, limit)

    return text


def ocsregistry_text_items(max_items: str, max_length: str):
    """Validator factory for lists of short texts (``scheming_multiple_text``
    then joins them): at most ``max_items`` items of ``max_length`` characters."""
    count, limit = int(max_items), int(max_length)

    def items(value: Any) -> Any:
        if value is missing or value is None or isinstance(value, str):
            return value if not isinstance(value, str) else _as_text(value, limit)
        if not isinstance(value, list):
            raise tk.Invalid(_("Must be a list of texts"))
        if len(value) > count:
            raise tk.Invalid(_("Must have at most {0} entries").format(count))
        for item in value:
            if not isinstance(item, str):
                raise tk.Invalid(_("Must be a list of texts"))
            _as_text(item, limit)
        return value

    return items


# Why urls.checked_url refused an address, as the editor reads it.
_URL_REASONS = {
    "length": lambda: _("Must be a web address of at most 2,000 characters"),
    "control": lambda: _("Must not contain control characters or text-direction overrides"),
    "scheme": lambda: _("Must be a web address starting with http:// or https://"),
    "host": lambda: _("The server name of this address is not valid"),
    "userinfo": lambda: _("Must not contain a user name or a password"),
    "port": lambda: _("The port must be a number from 1 to 65535"),
    # "%" stays out of the messages: gettext would read it as a placeholder
    "escape": lambda: _("A {0} must be followed by two hexadecimal digits, e.g. {1} for a space"
                        ).format("%", "%20"),
    "path": lambda: _("The path of this address is not valid (RFC 3986): "
                      "check its {0} escapes").format("%"),
    "query": lambda: _("The query of this address (after ?) is not valid (RFC 3986)"),
    "fragment": lambda: _("The fragment of this address (after #) is not valid (RFC 3986)"),
}


def ocsregistry_url(value: Any) -> Any:
    """An http(s) address (RFC 3986, through the rfc3986 library), stored in its URI form."""
    if _blank(value):
        return value
    if not isinstance(value, str):
        raise tk.Invalid(_("Must be a web address starting with http:// or https://"))
    try:
        return urls.checked_url(value.strip())
    except urls.UrlError as e:
        reason = str(e)
    if reason.startswith("character:"):
        char = reason.split(":", 1)[1]
        raise tk.Invalid(_(
            "\u00ab {0} \u00bb is not allowed in a web address: write it {1}").format(
                char, f"%{ord(char):02X}"))
    raise tk.Invalid(_URL_REASONS.get(reason, _URL_REASONS["host"])())


def _blank(value: Any) -> bool:
    """Nothing given: left to ``ignore_missing`` / ``not_empty`` (a field may be empty)."""
    return value is missing or value is None or _text(value) == ""


def _earliest_year() -> int:
    return tk.config.get("ckanext.ocsregistry.earliest_year")


_YEAR = re.compile(r"\d{4}", re.ASCII)


def ocsregistry_year(value: Any) -> Any:
    if _blank(value):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)) or \
            not _YEAR.fullmatch(_text(value)):
        raise tk.Invalid(_("Must be a year, e.g. 2021"))
    year = int(_text(value))
    latest = datetime.date.today().year + YEARS_AHEAD
    if not _earliest_year() <= year <= latest:
        raise tk.Invalid(_("Must be a year between {0} and {1}").format(_earliest_year(), latest))
    return year


_SPACES = re.compile("[ \u00a0\u202f\u2009']")  # thousands separators of French and Swiss text
# ASCII digits only: Python reads other scripts' digits as numbers too.
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$", re.ASCII)
_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?$", re.ASCII)
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 6


def _number_text(text: str) -> str:
    """"1 200,5", "1.200,5", "1,200.5" or "1200.5" as "1200.5"; "" if unreadable.

    The decimal mark is the last "," or "." when both appear; a lone "," is
    French decimal; several "," or "." are thousands separators.
    """
    text = _SPACES.sub("", text)
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        if not _GROUPS.match(text):
            return ""
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if mark == "," else ","
        text = text.replace(thousands, "").replace(mark, ".")
    elif commas == 1:
        text = text.replace(",", ".")
    elif commas > 1 or dots > 1:
        if not _GROUPS.match(text):
            return ""
        text = text.replace(",", "").replace(".", "")
    return text if _NUMBER.match(text) else ""


def _decimal(value: Any) -> Decimal:
    """A finite decimal written in full, with a bounded number of digits.

    Accepts 1200, 1200.5, "1 200,5" (French spreadsheets), "1,200.5"; refuses
    exponent forms ("1e5000" would otherwise be expanded to all its digits).
    """
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise tk.Invalid(_("Must be a number"))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) >= 1e15:
            raise tk.Invalid(_("Must be a number of at most 15 digits"))
        text = format(Decimal(repr(value)), "f")
    else:
        try:
            text = _text(value).strip()
        except ValueError:  # an int too long to write out
            raise tk.Invalid(_("Must be a number of at most 15 digits"))
    if len(text) > 64:
        raise tk.Invalid(_("Must be a number of at most 15 digits"))
    if "e" in text.lower():
        raise tk.Invalid(_("Must be a number written in full, e.g. 1 200,5 (no exponent)"))
    plain = _number_text(text)
    if not plain:
        raise tk.Invalid(_("Must be a number, e.g. 1 200,5"))
    whole, _dot, decimals = plain.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS or len(decimals) > MAX_DECIMALS:
        raise tk.Invalid(_("Must be a number of at most 15 digits and 6 decimals"))
    return Decimal(plain)


def ocsregistry_at_most(maximum: str):
    """Validator factory, used as ``ocsregistry_at_most(1000000)`` in the schema."""
    limit = Decimal(str(maximum))
    shown = f"{int(limit):,}".replace(",", "\u202f") if limit == int(limit) else str(limit)

    def at_most(value: Any) -> Any:
        number = _readable_decimal(value)
        if number is not None and number > limit:
            raise tk.Invalid(_("Must be at most {0}").format(shown))
        return value

    return at_most


def _readable_decimal(value: Any) -> Optional[Decimal]:
    """The value as a finite Decimal; None when blank or unreadable (the number
    validator before ``at_most`` has said why: navl runs the next one anyway)."""
    try:
        number = None if _blank(value) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def _canonical(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0.0") else text


def ocsregistry_non_negative_number(value: Any) -> Any:
    if _blank(value):
        return value
    number = _decimal(value)
    if number < 0:
        raise tk.Invalid(_("Must be a number of 0 or more"))
    return _canonical(number)


def ocsregistry_positive_int(value: Any) -> Any:
    if _blank(value):
        return value
    number = _decimal(value)
    if number != number.to_integral_value() or number < 1:
        raise tk.Invalid(_("Must be a whole number of 1 or more"))
    return _canonical(number)


def ocsregistry_number_output(value: Any) -> Any:
    """Stored as text in extras; served as JSON numbers."""
    if not isinstance(value, str) or value == "":
        return value
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if number == number.to_integral_value():
        return int(number)
    return float(number)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _day(value: Any) -> datetime.date:
    """The day of "2024-03-31", or of a full ISO datetime ("2024-03-31T12:00:00+02:00")."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if _ISO_DAY.fullmatch(text[:10]) and len(text) < 40:
        try:
            if len(text) == 10:
                return datetime.date.fromisoformat(text)
            if text[10] in "T ":
                return datetime.datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise tk.Invalid(_("Must be a date as YYYY-MM-DD, e.g. 2024-03-31"))


def ocsregistry_iso_date(value: Any) -> Any:
    if _blank(value):
        return value
    day = _day(value)
    earliest = datetime.date(_earliest_year(), 1, 1)
    latest = datetime.date.today() + datetime.timedelta(days=1)
    if not earliest <= day <= latest:
        raise tk.Invalid(_("Must be a date between {0} and today").format(earliest.isoformat()))
    return day.isoformat()


def _code(value: Any) -> str:
    return regions.clean_code(value)


def _code_list(value: Any) -> list[str]:
    """Codes from a form (list), the API (list or JSON) or a spreadsheet ("91; 73")."""
    if value is missing:
        return []
    try:
        return regions.parse_codes(value)
    except ValueError:
        raise tk.Invalid(_("Must be a list of INSEE region codes"))


def ocsregistry_current_region_code(value: Any) -> Any:
    if _blank(value):
        return value
    code = _code(value)
    region = regions.get(code)
    if region is None:
        raise tk.Invalid(_("{0} is not an INSEE region code").format(code))
    if region.merged:
        raise tk.Invalid(_(
            "{0} ({1}) is a pre-2016 region: give the current region {2} ({3}) "
            "and list {0} among the former regions covered").format(
                code, region.name, region.current_code, regions.name(region.current_code)))
    return code


def _checked_codes(value: Any, merged: bool) -> list[str]:
    codes = _code_list(value)
    for code in codes:
        region = regions.get(code)
        if region is None:
            raise tk.Invalid(_("{0} is not an INSEE region code").format(code))
        if region.merged != merged:
            raise tk.Invalid(
                _("{0} ({1}) is not a pre-2016 region merged in 2016").format(code, region.name)
                if merged else
                _("{0} ({1}) is not a current region").format(code, region.name))
    return sorted(set(codes))


def ocsregistry_merged_region_codes(value: Any) -> Any:
    """Pre-2016 regions merged in 2016, stored as a JSON list."""
    if value is missing or value is None:
        return value
    return json.dumps(_checked_codes(value, merged=True))


def ocsregistry_current_region_codes(value: Any) -> Any:
    """Current regions, stored as a JSON list (organisation coverage)."""
    if value is missing or value is None:
        return value
    return json.dumps(_checked_codes(value, merged=False))


def _org(owner_org: Any) -> Optional[model.Group]:
    if not owner_org or owner_org is missing or not isinstance(owner_org, str):
        return None
    return model.Group.get(owner_org.strip())


def _check_recognised_crige(data: dict, errors: dict, code: str) -> None:
    """A record belongs to an organisation a sysadmin recognised as a CRIGE, by
    setting the regions it covers, and is about one of those regions: an
    account that created an organisation cannot put a base on the national map."""
    org = _org(data.get(("owner_org",)))
    if org is None:
        return  # CKAN's owner_org validator says why
    covered = regions.covered_regions(org.extras.get("regions_covered"))
    if not covered:
        _add_error(errors, "owner_org", _(
            "{0} is not recognised as a CRIGE yet: a sysadmin must first set the "
            "regions it covers").format(org.title or org.name))
    elif code and regions.get(code) and code not in covered:
        _add_error(errors, "region_code", _(
            "{0} ({1}) is not among the regions this CRIGE covers ({2})").format(
                code, regions.name(code), ", ".join(covered)))


def _stored_regions(context: dict) -> list[str]:
    group = context.get("group")
    return regions.covered_regions(group.extras.get("regions_covered")) if group is not None else []


def _records_in(org_id: str, codes: list[str]) -> int:
    """Active registry records of an organisation about these regions (one query)."""
    from ckanext.ocsregistry.record import DATASET_TYPE
    from ckanext.ocsregistry import extras
    return (model.Session.query(model.Package.id)
            .filter(model.Package.owner_org == org_id, model.Package.type == DATASET_TYPE,
                    model.Package.state == "active",
                    extras.package_value("region_code").in_(codes))
            .count())


def ocsregistry_regions_set_by_sysadmin(key, data, errors, context) -> None:
    """The regions an organisation covers make it a CRIGE of the registry: only a
    sysadmin sets them. Others keep what is stored (left out, it is kept, so an
    organisation admin can still edit the description); a sysadmin cannot take
    a region away from a CRIGE that still has records about it."""
    if errors.get(key):
        return
    stored = _stored_regions(context)
    value = data.get(key)
    if context.get("ignore_auth") or authz.is_sysadmin(context.get("user")):
        try:
            wanted = [] if value in (missing, None) else regions.parse_codes(value)
        except ValueError:
            return  # ocsregistry_current_region_codes says why
        group = context.get("group")
        removed = sorted(set(stored) - set(wanted))
        if group is not None and removed and _records_in(group.id, removed):
            errors[key].append(_(
                "This CRIGE still has records about {0}: move or delete them first").format(
                    ", ".join(f"{c} ({regions.name(c)})" for c in removed)))
        return
    if value in (missing, None):
        data[key] = json.dumps(stored) if stored else missing
    elif sorted(regions.covered_regions(value)) != sorted(stored):
        errors[key].append(_("Only a sysadmin can set the regions a CRIGE covers"))


def _add_error(errors: dict, field: str, message: str) -> None:
    errors.setdefault((field,), []).append(message)


def ocsregistry_region_fields(key, data, errors, context) -> None:
    """Cross-field checks and derived fields of a record's region.

    Runs before the field validators (scheming ``before_validators``), so it
    reads raw values leniently and leaves bad single values to the field's own
    validator. It checks that the former regions belong to the region, that a
    given region name matches the codes, that the CRIGE covers the region, and
    fills ``region_name`` and ``spatial`` (the regions' bounding box).
    """
    try:
        code = _code(data.get(("region_code",), ""))
    except Exception:
        code = ""
    region = regions.get(code)
    if tk.config.get("ckanext.ocsregistry.enforce_org_regions"):
        _check_recognised_crige(data, errors, code if region and not region.merged else "")
    if region is None or region.merged:
        return
    try:
        former = _code_list(data.get(("former_region_codes",)))
    except tk.Invalid:
        return
    stray = [c for c in former if regions.get(c) and regions.get(c).merged and regions.get(c).current_code != code]
    for c in stray:
        _add_error(errors, "former_region_codes", _(
            "{0} ({1}) became part of {2} ({3}), not of {4} ({5})").format(
                c, regions.name(c), regions.get(c).current_code,
                regions.name(regions.get(c).current_code), code, region.name))
    valid_former = [c for c in former if regions.get(c) and regions.get(c).current_code == code
                    and regions.get(c).merged]

    given = data.get(("region_name",))
    if given not in (None, missing) and _text(given) and \
            regions.normalise(_text(given)) not in regions.accepted_names(code, valid_former):
        _add_error(errors, "region_name", _(
            "\"{0}\" does not match the region codes given: expected \"{1}\"").format(
                _text(given), regions.display_name(code, valid_former)))
    else:
        data[("region_name",)] = regions.display_name(code, valid_former)

    data[("spatial",)] = regions.bbox_geojson(valid_former or [code])



def ocsregistry_distinct_vintage_years(key, data, errors, context) -> None:
    """One vintage per year: a second one is refused under its own year field
    (a scheming ``before_validators`` entry, so it sees every vintage at once)."""
    seen: set[int] = set()
    year_keys = sorted((k for k in data if len(k) == 3 and k[0] == "vintages" and k[2] == "year"),
                       key=lambda k: (str(k[1]).zfill(6)))
    for k in year_keys:
        text = _text(data[k]) if isinstance(data[k], (str, int)) else ""
        if not _YEAR.fullmatch(text):
            continue  # the year's own validator says why
        year = int(text)
        if year in seen:
            errors.setdefault(k, []).append(
                _("The year {0} is already given in another vintage").format(year))
        seen.add(year)


MAX_FILTER_VALUES = 20


def ocsregistry_string_list(value: Any) -> Any:
    """One or more short strings, for search filters."""
    if value is missing or value is None:
        return value
    values = value if isinstance(value, (list, tuple)) else [value]
    out = [_text(v) for v in values if _text(v)]
    if len(out) > MAX_FILTER_VALUES or any(len(v) > 100 for v in out):
        raise tk.Invalid(_("Too many or too long values"))
    return out


def ocsregistry_bbox(value: Any) -> Any:
    """minx,miny,maxx,maxy in WGS84 degrees, as ckanext-spatial's ext_bbox."""
    if _blank(value):
        return value
    try:
        minx, miny, maxx, maxy = (float(v) for v in _text(value).split(","))
    except ValueError:
        raise tk.Invalid(_("Must be four numbers: west,south,east,north"))
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise tk.Invalid(_("Must be four numbers: west,south,east,north"))
    return f"{minx},{miny},{maxx},{maxy}"


def ocsregistry_feed_limit(value: Any) -> Any:
    """How many entries a feed holds: a whole number from 1 to 100."""
    from ckanext.ocsregistry.changes import MAX_LIMIT

    text = _text(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise tk.Invalid(_("Must be a whole number from 1 to {0}").format(MAX_LIMIT))
    return int(text)
