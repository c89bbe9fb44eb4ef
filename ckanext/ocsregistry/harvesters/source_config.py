"""The configuration of an ``ocsregistry`` harvest source (JSON in the source form).

    {
      "organizations": {"remote-crige": "local-crige"},
      "default_organization": "local-crige",
      "timeout": 30,
      "page_size": 100
    }

Every key is optional. Records go to the organisation ``organizations`` maps
their remote CRIGE to; otherwise to the one local CRIGE that covers their
region; otherwise to ``default_organization``; otherwise to the organisation
that owns the harvest source.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ckan import model

KEYS = ("organizations", "default_organization", "timeout", "page_size")
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class SourceConfig:
    organizations: dict[str, str] = field(default_factory=dict)
    default_organization: str = ""
    timeout: float = 30.0
    page_size: int = 100


def parse(text: str | None) -> SourceConfig:
    """Parse and check a source configuration; ``ValueError`` names the key at fault."""
    if not text or not text.strip():
        return SourceConfig()
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise ValueError(f"configuration: invalid JSON ({error})")
    if not isinstance(raw, dict):
        raise ValueError("configuration: expected a JSON object")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ValueError(f"configuration: unknown key(s) {', '.join(unknown)} "
                         f"(known: {', '.join(KEYS)})")

    organizations = raw.get("organizations", {})
    if not isinstance(organizations, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in organizations.items()):
        raise ValueError('configuration: "organizations" must map remote organisation names '
                         "to local organisation names")
    default = raw.get("default_organization", "")
    if not isinstance(default, str):
        raise ValueError('configuration: "default_organization" must be an organisation name')
    for key, name in [("organizations", v) for v in organizations.values()] + [
            ("default_organization", default)]:
        if name and not _organization_exists(name):
            raise ValueError(f'configuration: "{key}": no organisation named "{name}" here')

    timeout = raw.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        raise ValueError('configuration: "timeout" must be a number of seconds between 0 and 600')
    page_size = raw.get("page_size", 100)
    if isinstance(page_size, bool) or not isinstance(page_size, int) \
            or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f'configuration: "page_size" must be an integer from 1 to {MAX_PAGE_SIZE}')
    return SourceConfig(organizations, default, float(timeout), page_size)


def _organization_exists(name: str) -> bool:
    group = model.Group.get(name)
    return bool(group and group.is_organization and group.state == "active")
