"""Web addresses: what the registry accepts, and what it may write as an RDF IRI.

Checked with the rfc3986 library (python-hyper): the address is read as an IRI
(RFC 3987, so "https://www.géo.fr/données" is fine), encoded to its URI form
(IDNA host, percent-encoded path), then validated as an RFC 3986 http(s) URI
with a host. The URI form is what is stored, so every stored address is also
a valid IRI for the DCAT output.
"""
from __future__ import annotations

import re
from typing import Optional

import idna
import rfc3986
from rfc3986 import abnf_regexp, exceptions, validators

__all__ = ["MAX_LENGTH", "UrlError", "checked_url", "is_safe_iri"]

MAX_LENGTH = 2000  # what browsers and proxies reliably carry

# Characters RFC 3986 leaves out of URIs; a writer who typed them meant something
# else (a template, markup, a quoted string), so they are refused, not encoded.
_FORBIDDEN_ASCII = set(' "<>\\^`{|}')
# C0/C1 controls, and the bidirectional controls that make a link read other
# than it goes (Trojan Source, CVE-2021-42574).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# "%" starts an escape of two hexadecimal digits; the IRI encoding would turn a
# stray one into "%25", changing what the writer meant.
_BAD_ESCAPE = re.compile("%(?![0-9A-Fa-f]{2})")
# rfc3986's own grammar; its Validator matches these unanchored, so a bad
# character after a good prefix would pass: anchor them.
_COMPONENT_RE = {"path": re.compile(abnf_regexp.PATH_RE),
                 "query": re.compile(abnf_regexp.QUERY_RE),
                 "fragment": re.compile(abnf_regexp.FRAGMENT_RE)}


class UrlError(ValueError):
    """Why an address is refused (English; the validator translates)."""


def _validator() -> validators.Validator:
    return (validators.Validator()
            .require_presence_of("scheme", "host")
            .allow_schemes("http", "https")
            .forbid_use_of_password()
            .check_validity_of("scheme", "userinfo", "host", "port", "path", "query", "fragment"))


def _check_host(host: str) -> None:
    if host.startswith("["):  # IPv6 literal, checked by rfc3986
        return
    try:
        idna.encode(host.rstrip("."), uts46=True)
    except idna.IDNAError:
        raise UrlError("host")


def checked_url(text: str) -> str:
    """The URI form of ``text``, or UrlError saying which part is wrong."""
    if len(text) > MAX_LENGTH:
        raise UrlError("length")
    bad = sorted({c for c in text if c in _FORBIDDEN_ASCII})
    if bad:
        raise UrlError("character:" + bad[0])
    if _CONTROLS.search(text):
        raise UrlError("control")
    if _BAD_ESCAPE.search(text):
        raise UrlError("escape")
    try:
        uri = rfc3986.iri_reference(text).encode()
    except (ValueError, UnicodeError):
        raise UrlError("host")
    try:
        _validator().validate(uri)
    except exceptions.UnpermittedComponentError as e:
        raise UrlError("userinfo" if e.component_name == "password" else "scheme")
    except exceptions.MissingComponentError:
        raise UrlError("scheme" if uri.scheme not in ("http", "https") else "host")
    except exceptions.InvalidComponentsError as e:
        raise UrlError(sorted(e.components)[0])
    except exceptions.ValidationError:  # PasswordForbidden and any later kind
        raise UrlError("userinfo" if uri.userinfo else "host")
    if uri.userinfo:
        raise UrlError("userinfo")
    for part, pattern in _COMPONENT_RE.items():
        value = getattr(uri, part)
        if value is not None and not pattern.fullmatch(value):
            raise UrlError(part)
    _check_host(uri.host)
    return uri.unsplit()


def is_safe_iri(value: Optional[str]) -> bool:
    """Whether rdflib can write ``value`` as an IRI in every syntax (the DCAT
    guard: records stored before validation, or written around it)."""
    if not value or len(value) > MAX_LENGTH * 4:
        return False
    return not (_CONTROLS.search(value) or any(c in _FORBIDDEN_ASCII for c in value))
