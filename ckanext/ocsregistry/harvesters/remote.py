"""Reading a remote CKAN's action API, with one clear message per way it can fail."""
from __future__ import annotations

import json
from typing import Any

import requests

USER_AGENT = "ckanext-ocsregistry harvester"


class RemoteError(Exception):
    """The remote catalogue could not give a usable answer; the message says why."""


def get_action(base_url: str, action: str, params: dict[str, Any], timeout: float) -> Any:
    """Call ``action`` on the CKAN at ``base_url`` and return its ``result``."""
    url = f"{base_url.rstrip('/')}/api/3/action/{action}"
    try:
        response = requests.get(url, params=params, timeout=timeout,
                                headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    except requests.Timeout:
        raise RemoteError(f"{url}: no answer within {timeout:g} s (source too slow or down)")
    except requests.ConnectionError as error:
        raise RemoteError(f"{url}: could not connect ({_reason(error)})")
    except requests.RequestException as error:
        raise RemoteError(f"{url}: request failed ({error})")
    return _result(response, url)


def _reason(error: Exception) -> str:
    text = str(error)
    for known in ("Connection refused", "Name or service not known", "No route to host",
                  "Temporary failure in name resolution", "Connection reset"):
        if known in text:
            return known
    return text[:200]


def _result(response: requests.Response, url: str) -> Any:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = response.text
    if content_type == "text/html" or body.lstrip()[:1] == "<":
        raise RemoteError(
            f"{url}: HTTP {response.status_code}, the source returned an HTML page instead of "
            "CKAN API JSON (check that the source URL is the root of a CKAN site)")
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise RemoteError(f"{url}: HTTP {response.status_code}, invalid JSON ({error})")
    if not isinstance(payload, dict) or "success" not in payload:
        raise RemoteError(f"{url}: HTTP {response.status_code}, JSON is not a CKAN API answer")
    if not payload["success"]:
        error = payload.get("error") or {}
        message = error.get("message") if isinstance(error, dict) else error
        raise RemoteError(f"{url}: the source refused the request "
                          f"(HTTP {response.status_code}: {message or error})")
    return payload.get("result")
